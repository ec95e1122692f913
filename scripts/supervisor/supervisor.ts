// A small process manager, in the manner of foreman with PM2's restarts: it runs Node scripts as child
// processes, passes their output on line by line, and once everything is up restarts a process that
// exits, with exponential backoff, while the others keep running. It knows nothing of what the
// processes are; scripts/start.ts says which ones, in which order, and where each answers when ready.
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { DEFAULT_BACKOFF, formatSeconds, restartDelay, type BackoffPolicy } from './backoff.ts';
import { waitUntilReady } from './readiness.ts';

export interface ProcessSpec {
  /** Names the process in its output's prefix and in the supervisor's lines. */
  name: string;
  /** The script Node runs, relative to the supervisor's working directory. */
  entry: string;
  /** Added to the supervisor's base environment. */
  env: Record<string, string>;
  /** Answers 2xx once the process serves. */
  readyUrl: string;
  /**
   * Its CPU niceness (0 the default, up to 19 the least favoured): background work sharing a machine
   * with processes that answer requests yields the CPU to them when both want it.
   */
  niceness?: number;
}

export interface SupervisorOptions {
  cwd: string;
  /** What every process inherits before its own `env`. */
  env: Record<string, string | undefined>;
  /** The supervisor's own lines: starts, exits, restarts, stops. */
  log: (line: string) => void;
  /** Each line a process writes, on stdout or stderr. */
  output: (name: string, line: string) => void;
  backoff?: BackoffPolicy;
  /** How long a process may take to be ready while everything is first started. */
  readyTimeoutMs?: number;
  /** How long a process may take to exit after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
  readyPollMs?: number;
}

interface Slot {
  spec: ProcessSpec;
  /** Its start group: groups start in order, and stop in the reverse order. */
  group: number;
  /** The running process; undefined while it waits for a restart, or once stopped. */
  child: ChildProcess | undefined;
  /** Settles when `child` has exited. */
  exited: Promise<void>;
  ready: boolean;
  /** Restarts since the supervisor started. */
  restarts: number;
  /** Exits since the process last stayed ready `resetAfterMs`: what the backoff grows with. */
  streak: number;
  crashLoopReported: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  stableTimer: NodeJS.Timeout | undefined;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #backoff: BackoffPolicy;
  readonly #readyTimeoutMs: number;
  readonly #stopTimeoutMs: number;
  readonly #readyPollMs: number;
  readonly #slots: Slot[] = [];
  /** Set once every group is ready: from then on an exit means a restart, not a failed start. */
  #up = false;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #failStart: (reason: string) => void = () => {};

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 15_000;
    this.#readyPollMs = options.readyPollMs ?? 250;
  }

  /**
   * Starts each group once the one before is ready. Rejects, with a one-line reason, if a process
   * exits or is not ready in time before all are up: a process that cannot start at all (bad
   * configuration, a database that is down) would only crash again, so the caller stops everything
   * and says why rather than looping. Rejects too if `stop` is called before all are up.
   */
  async start(groups: readonly (readonly ProcessSpec[])[]): Promise<void> {
    const failed = new Promise<never>((_, reject) => {
      this.#failStart = (reason) => reject(new Error(reason));
    });
    for (const [group, specs] of groups.entries()) {
      const slots = specs.map((spec) => this.#add(spec, group));
      for (const slot of slots) this.#launch(slot);
      await Promise.race([failed, Promise.all(slots.map((slot) => this.#firstReady(slot)))]);
      if (this.#stopping) throw new Error('stopped before every process was ready');
    }
    this.#up = true;
  }

  /**
   * Stops the processes group by group, the last started first: SIGTERM to each process of the group,
   * SIGKILL to any still running after the stop timeout, then the next group. No restarts from then on.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#stopAll();
    return this.#stopped;
  }

  /** SIGKILL to every process still running, for when the supervisor itself must end at once. */
  kill(): void {
    for (const slot of this.#slots) if (slot.child) killGroup(slot.child);
  }

  #add(spec: ProcessSpec, group: number): Slot {
    const slot: Slot = {
      spec,
      group,
      child: undefined,
      exited: Promise.resolve(),
      ready: false,
      restarts: 0,
      streak: 0,
      crashLoopReported: false,
      restartTimer: undefined,
      stableTimer: undefined,
    };
    this.#slots.push(slot);
    return slot;
  }

  #launch(slot: Slot): ChildProcess {
    const { name, entry, env } = slot.spec;
    const child = spawn(process.execPath, [entry], {
      cwd: this.#options.cwd,
      env: { ...this.#options.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the
      // processes must hear it from the supervisor, in order, not all at once from the terminal.
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.#options.output(name, line));
    }
    if (slot.spec.niceness && child.pid !== undefined) setPriority(child.pid, slot.spec.niceness);
    slot.child = child;
    slot.ready = false;
    slot.exited = new Promise((resolve) => {
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        this.#exited(slot, child, describeExit(code, signal));
        resolve();
      };
      child.once('exit', end);
      child.on('error', (error) => {
        this.#options.log(`${name}: ${error.message}`);
        // A process that could not be spawned at all gets no 'exit'.
        if (child.pid === undefined) end(null, null);
      });
    });
    if (child.pid !== undefined) this.#options.log(`${name} started (pid ${child.pid})`);
    return child;
  }

  async #firstReady(slot: Slot): Promise<void> {
    const child = slot.child;
    const result = await waitUntilReady(slot.spec.readyUrl, {
      alive: () => slot.child === child && !this.#stopping,
      timeoutMs: this.#readyTimeoutMs,
      intervalMs: this.#readyPollMs,
    });
    if (result === 'ready') slot.ready = true;
    if (result === 'timeout') {
      this.#failStart(
        `${slot.spec.name} was not ready at ${slot.spec.readyUrl} within ${formatSeconds(this.#readyTimeoutMs)}`,
      );
    }
    // 'gone': the exit has failed the start already, or everything is stopping.
  }

  #exited(slot: Slot, child: ChildProcess, how: string): void {
    if (slot.child !== child) return;
    const wasReady = slot.ready;
    slot.child = undefined;
    slot.ready = false;
    clearTimeout(slot.stableTimer);
    const { name } = slot.spec;
    if (this.#stopping) {
      this.#options.log(`${name} stopped (${how})`);
    } else if (!this.#up) {
      this.#failStart(
        `${name} exited (${how}) ${wasReady ? 'while the others were starting' : 'before it was ready'}`,
      );
    } else {
      this.#scheduleRestart(slot, how);
    }
  }

  #scheduleRestart(slot: Slot, how: string): void {
    const { name } = slot.spec;
    const policy = this.#backoff;
    slot.restarts += 1;
    slot.streak += 1;
    const delay = restartDelay(slot.streak, policy);
    this.#options.log(`${name} exited (${how}); restart ${slot.restarts} in ${formatSeconds(delay)}`);
    if (delay >= policy.maxMs && !slot.crashLoopReported) {
      slot.crashLoopReported = true;
      this.#options.log(
        `${name} keeps exiting (${slot.streak} times without staying ready ${formatSeconds(policy.resetAfterMs)}); ` +
          `restarting it every ${formatSeconds(policy.maxMs)} until it does`,
      );
    }
    slot.restartTimer = setTimeout(() => void this.#restart(slot), delay);
  }

  async #restart(slot: Slot): Promise<void> {
    if (this.#stopping) return;
    const child = this.#launch(slot);
    const { name, readyUrl } = slot.spec;
    const watch = (timeoutMs: number) =>
      waitUntilReady(readyUrl, {
        alive: () => slot.child === child && !this.#stopping,
        timeoutMs,
        intervalMs: this.#readyPollMs,
      });
    let result = await watch(this.#readyTimeoutMs);
    if (result === 'timeout') {
      // Alive but not serving (its database down, say): say so once and keep watching; if it exits,
      // the backoff takes over.
      this.#options.log(
        `${name} (pid ${child.pid}) is not ready within ${formatSeconds(this.#readyTimeoutMs)}; still waiting`,
      );
      result = await watch(Number.POSITIVE_INFINITY);
    }
    if (result !== 'ready' || this.#stopping) return;
    slot.ready = true;
    this.#options.log(`${name} ready again (pid ${child.pid})`);
    slot.stableTimer = setTimeout(() => {
      if (slot.streak > 1) {
        this.#options.log(
          `${name} has stayed ready ${formatSeconds(this.#backoff.resetAfterMs)}; ` +
            `its next restart waits ${formatSeconds(this.#backoff.initialMs)} again`,
        );
      }
      slot.streak = 0;
      slot.crashLoopReported = false;
    }, this.#backoff.resetAfterMs);
  }

  async #stopAll(): Promise<void> {
    this.#stopping = true;
    for (const slot of this.#slots) {
      clearTimeout(slot.restartTimer);
      clearTimeout(slot.stableTimer);
    }
    const groups = [...new Set(this.#slots.map((slot) => slot.group))].sort((a, b) => b - a);
    for (const group of groups) {
      const running = this.#slots.filter((slot) => slot.group === group && slot.child);
      if (running.length === 0) continue;
      this.#options.log(`stopping ${running.map((slot) => slot.spec.name).join(', ')}`);
      for (const slot of running) slot.child?.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const slot of running) {
          if (!slot.child) continue;
          this.#options.log(
            `${slot.spec.name} did not stop within ${formatSeconds(this.#stopTimeoutMs)} of SIGTERM; killing it`,
          );
          killGroup(slot.child);
        }
      }, this.#stopTimeoutMs);
      await Promise.all(running.map((slot) => slot.exited));
      clearTimeout(timer);
    }
  }
}

/** SIGKILL to the process and whatever it started in its group (a router's cluster workers, say). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

// The processes a bench starts: each a child of this one, pinned to a CPU with taskset where the OS has
// it, its output kept in a log file (a bench must not interleave hundreds of log lines with its table),
// and all of them stopped together, the gateways first.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../supergraph-config.ts';

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Managed {
  name: string;
  child: ChildProcess;
  pid: number;
  /** The CPU list the process runs on ("0"), or null where taskset is missing. */
  cpus: string | null;
  logFile: string;
  exited: Promise<number | null>;
}

/** Whether `taskset` can pin processes here (Linux with util-linux); elsewhere the bench says so. */
export function canPin(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true']).status === 0;
}

/** Pins every thread of this process (the load generator) to `cpus`; false where that is not possible. */
export function pinSelf(cpus: string): boolean {
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]).status === 0;
}

export class ProcessGroup {
  readonly #running: Managed[] = [];
  readonly #logDir: string;
  readonly #pin: boolean;
  #stopping = false;

  constructor(options: { logDir: string; pin: boolean }) {
    this.#logDir = options.logDir;
    this.#pin = options.pin;
  }

  /** The processes started and not stopped yet. */
  get running(): readonly Managed[] {
    return this.#running;
  }

  /** Starts `node <entry>` (a path from the repository root) with `env` added to this process's own. */
  launch(name: string, entry: string, env: Record<string, string>, cpus: string): Managed {
    const command = this.#pin ? 'taskset' : process.execPath;
    const args = this.#pin ? ['-c', cpus, process.execPath, entry] : [entry];
    const child = spawn(command, args, {
      cwd: ROOT.pathname,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logFile = join(this.#logDir, `${name}.log`);
    const log = createWriteStream(logFile);
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    if (child.pid === undefined) throw new Error(`cannot start ${name}: ${command} did not spawn`);
    const managed: Managed = { name, child, pid: child.pid, cpus: this.#pin ? cpus : null, logFile, exited };
    this.#running.push(managed);
    void exited.then((code) => {
      log.end();
      if (!this.#stopping) process.stderr.write(`bench: ${name} exited (code ${code}); see ${logFile}\n`);
    });
    return managed;
  }

  /** Waits until a GET of `url` answers 2xx; fails early if the process exits first. */
  async waitReady(managed: Managed, url: string, headers: Record<string, string> = {}): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (managed.child.exitCode !== null) {
        throw new Error(`${managed.name} exited before it was ready; see ${managed.logFile}`);
      }
      try {
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`${managed.name} was not ready at ${url} within ${READY_TIMEOUT_MS / 1000}s`);
  }

  /** Stops one process (SIGTERM, then SIGKILL after the timeout). */
  async stop(managed: Managed): Promise<void> {
    if (managed.child.exitCode === null && managed.child.signalCode === null) {
      managed.child.kill('SIGTERM');
      const timer = setTimeout(() => managed.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await managed.exited;
      clearTimeout(timer);
    }
    this.#running.splice(this.#running.indexOf(managed), 1);
  }

  /**
   * Stops everything in stages: the processes the first predicate picks, then the next one's, ..., then
   * the rest. The gateways go first, so requests they are finishing can still reach the subgraphs; the
   * SQL proxy goes last, so no subgraph loses its connections while it drains.
   */
  async stopAll(stages: Array<(managed: Managed) => boolean> = []): Promise<void> {
    this.#stopping = true;
    for (const stage of [...stages, () => true]) {
      await Promise.all(this.#running.filter(stage).map((managed) => this.stop(managed)));
    }
  }
}

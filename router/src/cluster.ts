import cluster, { type Worker } from 'node:cluster';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Logger } from '@supergraph/logging';
import type { Stoppable } from '@supergraph/server-kit/main';
import { answerMetricsRequests } from './cluster-metrics.ts';

// ROUTER_WORKERS > 1: this primary forks that many router processes on one port (the cluster shares the
// listening socket) and supervises them. It loads none of the router itself, so it stays small. Shared
// state (rate-limit budgets, persisted queries) is in Redis already; query plans, signing keys and
// breakers are kept per worker.

/** A worker that exits this soon after it was forked was failing to run, not serving. */
const QUICK_EXIT_MS = 10_000;
/** This many quick exits within QUICK_EXIT_WINDOW_MS: replacing workers will not help, so stop. */
const MAX_QUICK_EXITS = 3;
const QUICK_EXIT_WINDOW_MS = 60_000;
/** Pause before replacing a worker that exited quickly, so that a crashing worker never loops tightly. */
const REPLACE_DELAY_MS = 1_000;
/** How long the workers may drain their requests after SIGTERM before they are killed. */
const SHUTDOWN_BOUND_MS = 30_000;

/** What runMain prints when a process cannot start; a worker failing to start ends with this line. */
const STARTUP_ERROR = /^router: cannot start: (.+)$/;

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
}

interface Member {
  forkedAt: number;
  ready: boolean;
  stderr: HeldStderr;
}

interface HeldStderr {
  /** Writes what the worker wrote so far and passes the rest straight through. */
  release: () => void;
  /** What the worker wrote and was not released, complete once `closed` has settled. */
  held: () => string;
  closed: Promise<void>;
}

/**
 * A worker's stderr is held until it listens: if it fails to start, the primary reports its one-line
 * error once, rather than every worker printing the same line.
 */
function holdStderr(stream: Readable): HeldStderr {
  const chunks: Buffer[] = [];
  let released = false;
  stream.on('data', (chunk: Buffer) => {
    if (released) process.stderr.write(chunk);
    else chunks.push(chunk);
  });
  return {
    release: () => {
      released = true;
      for (const chunk of chunks.splice(0)) process.stderr.write(chunk);
    },
    held: () => Buffer.concat(chunks).toString(),
    closed: finished(stream).catch(() => {}),
  };
}

function exitDescription(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/**
 * Why a worker could not start: its StartupError line without the prefix (the primary prints it again
 * with the same prefix). Anything else it wrote (a crash's stack trace) is passed on for the operator.
 */
function startupFailure(stderr: string, code: number | null, signal: string | null): string {
  const lines = stderr.trim().split('\n');
  const reason = STARTUP_ERROR.exec(lines.at(-1) ?? '')?.[1];
  if (reason) return reason;
  process.stderr.write(stderr);
  return `a router worker exited with ${exitDescription(code, signal)} before it was ready`;
}

/**
 * Runs the cluster until SIGTERM/SIGINT has stopped every worker (exit code 0 when all drained cleanly).
 * Rejects, once the workers are gone, if a worker cannot start before the router is up, or if workers
 * keep exiting within seconds of starting: the message is the worker's startup error.
 */
export function runPrimary({ workers, logger }: PrimaryOptions): Promise<void> {
  // stdin unused, logs (stdout) straight through, stderr held (holdStderr), IPC for the cluster.
  cluster.setupPrimary({ stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
  answerMetricsRequests();

  const members = new Map<Worker, Member>();
  const quickExits: number[] = [];
  let up = false;
  let stopping = false;
  let clean = true;
  let failure: string | undefined;
  let forceTimer: NodeJS.Timeout | undefined;

  return new Promise((resolve, reject) => {
    function fork(): void {
      const worker = cluster.fork();
      const stderr = worker.process.stderr;
      if (!stderr) throw new Error('router workers must be forked with stderr piped (setupPrimary)');
      const member: Member = { forkedAt: Date.now(), ready: false, stderr: holdStderr(stderr) };
      members.set(worker, member);
      worker.once('listening', (address) => {
        member.ready = true;
        member.stderr.release();
        if (!up && members.size === workers && [...members.values()].every((m) => m.ready)) {
          up = true;
          logger.info({ workers, port: address.port }, `router: ${workers} workers on :${address.port}`);
        }
      });
      worker.once('exit', (code, signal) => void exited(worker, member, code, signal));
    }

    async function exited(worker: Worker, member: Member, code: number | null, signal: string | null) {
      await member.stderr.closed;
      members.delete(worker);
      if (stopping) {
        if (code !== 0) clean = false;
        if (members.size === 0) finish();
        return;
      }
      // Before it listened, its stderr is still held: what it wrote is why it could not start.
      const reason = member.ready ? undefined : startupFailure(member.stderr.held(), code, signal);
      if (!up) return giveUp(reason ?? `a router worker exited with ${exitDescription(code, signal)}`);
      const pid = worker.process.pid;
      logger.error(
        { pid, code, signal, reason },
        `router worker ${pid} exited with ${exitDescription(code, signal)}`,
      );
      const now = Date.now();
      const quick = now - member.forkedAt < QUICK_EXIT_MS;
      if (quick) quickExits.push(now);
      if (quickExits.filter((at) => now - at < QUICK_EXIT_WINDOW_MS).length >= MAX_QUICK_EXITS) {
        return giveUp(
          reason ??
            `router workers keep exiting within seconds of starting (last: ${exitDescription(code, signal)})`,
        );
      }
      setTimeout(
        () => {
          if (!stopping) fork();
        },
        quick ? REPLACE_DELAY_MS : 0,
      );
    }

    /** SIGTERM to every worker: each drains its requests as a lone router does. */
    function stop(): void {
      stopping = true;
      for (const worker of members.keys()) worker.process.kill('SIGTERM');
      forceTimer = setTimeout(force, SHUTDOWN_BOUND_MS);
      if (members.size === 0) finish();
    }

    function force(): void {
      logger.warn({ workers: members.size }, 'killing the router workers still draining');
      clean = false;
      for (const worker of members.keys()) worker.process.kill('SIGKILL');
    }

    function giveUp(reason: string): void {
      failure = reason;
      stop();
    }

    function finish(): void {
      clearTimeout(forceTimer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (failure !== undefined) return reject(new Error(failure));
      logger.info('router stopped');
      process.exitCode = clean ? 0 : 1;
      resolve();
    }

    // Ctrl-C signals the workers too (one process group), and each ignores a second signal while it
    // drains: a second signal to the primary is what cuts the drain short.
    function onSignal(signal: NodeJS.Signals): void {
      if (stopping) return force();
      logger.info({ signal }, 'shutting down');
      stop();
    }

    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    for (let index = 0; index < workers; index += 1) fork();
  });
}

/**
 * A worker's router, stopped as a lone router is, then leaving the cluster: the IPC channel to the
 * primary would otherwise keep the process alive.
 */
export function asClusterWorker(router: Stoppable): Stoppable {
  return {
    logger: router.logger,
    stop: async () => {
      try {
        await router.stop();
      } finally {
        cluster.worker?.disconnect();
      }
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { eventually } from '@supergraph/testing';
import type { Consumer } from '@supergraph/events';
import { freePort } from './free-port.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface WorkerProcess {
  /** Where its /health, /ready and /metrics answer. */
  url: string;
  child: ChildProcess;
  /** SIGTERM, as a deployment stops it: it finishes the jobs under way. */
  stop: () => Promise<void>;
  /** SIGKILL, as a crash or the OOM killer: the job under way is left to its lock. */
  kill: () => Promise<void>;
}

/**
 * A domain's worker as its own process (`node subgraphs/<domain>/src/worker-main.ts`), as deployed, with
 * the given environment (a shop's `workerEnv`); resolves once it is ready.
 */
export async function startWorkerProcess(
  consumer: Consumer,
  env: Record<string, string>,
): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [`subgraphs/${consumer}/src/worker-main.ts`], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env, WORKER_PORT: String(port) },
    stdio: 'ignore',
  });
  // As npm start runs them: behind the APIs for the CPU, which answer against deadlines.
  if (child.pid) setPriority(child.pid, 10);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  const outcome = await eventually(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return 'exited';
    const ready = await fetch(`${url}/ready`).catch(() => undefined);
    return ready?.ok ? 'ready' : undefined;
  }, 60_000).catch(() => 'not ready within 60 s');
  if (outcome !== 'ready') {
    await signal('SIGKILL');
    throw new Error(
      `${consumer}-worker ${outcome === 'exited' ? `exited (code ${child.exitCode})` : outcome}`,
    );
  }
  return { url, child, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

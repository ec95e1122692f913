import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TEST_INTERNAL_SECRET } from '@supergraph/testing';

const ROOT = new URL('../../..', import.meta.url).pathname;

export interface RouterProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node router/src/main.ts` as its own process, as a deployment runs it (telemetry, its loader hooks,
 * a cluster), with a test environment (its own rate-limit keys, no reachable signing keys unless
 * `vars` says where) plus `vars`; what it writes is collected.
 */
export function startRouterMain(vars: Record<string, string>): RouterProcess {
  const child = spawn(process.execPath, ['router/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      RATE_LIMIT_KEY_PREFIX: `test:rate-limit:${randomUUID()}`,
      ...vars,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

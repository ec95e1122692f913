// Usage: npm start
//
// Runs the whole supergraph on this machine: provisions the development database (each subgraph's
// role and schema), then starts every subgraph of supergraph.yaml and the router as separate OS
// processes with prefixed logs. Each subgraph applies its migrations and loads its seed data as it
// starts; the router starts once every subgraph is ready. Ctrl-C or SIGTERM stops them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { devDatabase, devSecrets, devSubgraphDatabaseUrl, provisionDevDatabase } from './dev-env.ts';
import { readSupergraphConfig, ROOT } from './supergraph-config.ts';
import { routerNodeOptions } from '../router/src/node-options.ts';

const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 15_000;
const ROUTER_PORT = Number(process.env.ROUTER_PORT ?? 4000);
const COLORS = [36, 35, 33, 32, 34, 91, 96];

interface Managed {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const running: Managed[] = [];
let stopping = false;

function fail(message: string): never {
  process.stderr.write(`start: ${message}\n`);
  process.exit(1);
}

function launch(name: string, entry: string, env: Record<string, string>, color: number): Managed {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT.pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = process.stdout.isTTY
    ? `\u001b[${color}m${name.padEnd(20)}|\u001b[0m `
    : `${name.padEnd(20)}| `;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream)
      createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const managed = { name, child, exited };
  running.push(managed);
  exited.then((code) => {
    if (!stopping) {
      process.stderr.write(`start: ${name} exited (code ${code}); stopping everything\n`);
      void stopAll(1);
    }
  });
  return managed;
}

async function waitReady(managed: Managed, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (managed.child.exitCode !== null) throw new Error(`${managed.name} exited before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${managed.name} was not ready at ${url} within ${READY_TIMEOUT_MS / 1000}s`);
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => {
    for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  // The router first, so the requests it is finishing can still reach the subgraphs; then the rest.
  const router = running.find((managed) => managed.name === 'router');
  const ordered = router ? [[router], running.filter((managed) => managed !== router)] : [running];
  for (const group of ordered) {
    for (const { child } of group) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(group.map((managed) => managed.exited));
  }
  clearTimeout(timer);
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const { adminUrl } = devDatabase();
const { subgraphs } = readSupergraphConfig();
try {
  await provisionDevDatabase(subgraphs);
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  fail(
    `cannot provision the development database through ${new URL(adminUrl).host} (${reason}); ` +
      'start Postgres (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) ' +
      'or set DATABASE_ADMIN_URL to a superuser connection',
  );
}

const secrets = devSecrets();
const shared = {
  NODE_ENV: 'development',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  INTERNAL_SECRET: secrets.INTERNAL_SECRET,
};

try {
  const started = subgraphs.flatMap((subgraph, index) => {
    const port = Number(new URL(subgraph.routingUrl).port);
    const env = {
      ...shared,
      PORT: String(port),
      DATABASE_URL: devSubgraphDatabaseUrl(subgraph.name),
      DATABASE_SCHEMA: subgraph.name,
      SEED_ON_START: 'true',
      JWT_PRIVATE_KEY: secrets.JWT_PRIVATE_KEY,
    };
    const color = COLORS[index % COLORS.length] ?? 36;
    const api = launch(subgraph.name, `subgraphs/${subgraph.name}/src/main.ts`, env, color);
    const ready = [waitReady(api, `http://127.0.0.1:${port}/ready`)];
    // A domain that consumes events has a worker process beside its API, on the port 100 above it.
    const workerEntry = `subgraphs/${subgraph.name}/src/worker-main.ts`;
    if (existsSync(new URL(workerEntry, ROOT))) {
      const workerPort = port + 100;
      const worker = launch(
        `${subgraph.name}-worker`,
        workerEntry,
        { ...env, WORKER_PORT: String(workerPort) },
        color,
      );
      ready.push(waitReady(worker, `http://127.0.0.1:${workerPort}/ready`));
    }
    return ready;
  });
  await Promise.all(started);
  const usersPort = new URL(subgraphs.find((s) => s.name === 'users')?.routingUrl ?? 'http://x:4001').port;
  const router = launch(
    'router',
    'router/src/main.ts',
    {
      ...shared,
      PORT: String(ROUTER_PORT),
      JWKS_URL: `http://127.0.0.1:${usersPort}/.well-known/jwks.json`,
      NODE_OPTIONS: routerNodeOptions(process.env.NODE_OPTIONS),
    },
    97,
  );
  await waitReady(router, `http://127.0.0.1:${ROUTER_PORT}/ready`);
  process.stdout.write(
    `\nsupergraph is up: Apollo Sandbox at http://localhost:${ROUTER_PORT} (${subgraphs.length} subgraphs). Ctrl-C stops it.\n\n`,
  );
} catch (error) {
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll(1);
}

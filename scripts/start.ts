// Usage: npm start
//
// Runs the whole supergraph on this machine: provisions the development database (each subgraph's
// role and schema), then starts every subgraph of supergraph.yaml (its API, and its events worker where
// it has one) and, once they are all ready, the router, each as its own OS process with prefixed logs.
// Each subgraph applies its migrations and loads its seed data as it starts. The processes run under a
// supervisor (supervisor/supervisor.ts): once the supergraph is up, a process that exits is restarted
// with backoff while the rest keep serving; a process that cannot start at all stops everything, with
// its one-line error. Ctrl-C or SIGTERM stops the router, then the rest.
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { runMain } from '@supergraph/config';
import { devDatabase, devSecrets, devSubgraphDatabaseUrl, provisionDevDatabase } from './dev-env.ts';
import { loadStartEnv, type StartEnv } from './start-env.ts';
import { readSupergraphConfig, ROOT, type SubgraphEntry } from './supergraph-config.ts';
import { Supervisor, type ProcessSpec } from './supervisor/supervisor.ts';
import { routerNodeOptions } from '../router/src/node-options.ts';

const COLORS = [36, 35, 33, 32, 34, 91, 96];
const ROUTER_COLOR = 97;
/** A domain that consumes events has a worker process beside its API, on the port 100 above it. */
const WORKER_PORT_STEP = 100;
const WORKER_NICENESS = 10;

function fail(message: string): never {
  process.stderr.write(`start: ${message}\n`);
  process.exit(1);
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

let env!: StartEnv;
await runMain('start', async () => {
  env = loadStartEnv();
});

const { subgraphs } = readSupergraphConfig();
const local = (port: number) => `http://127.0.0.1:${port}`;
const portOf = (subgraph: SubgraphEntry) => Number(new URL(subgraph.routingUrl).port) + env.PORT_OFFSET;
const hasWorker = (subgraph: SubgraphEntry) =>
  existsSync(new URL(`subgraphs/${subgraph.name}/src/worker-main.ts`, ROOT));
const routerPort = env.ROUTER_PORT ?? 4000 + env.PORT_OFFSET;

// A port already taken (another `npm start`, most likely) would answer our readiness checks for a
// process of ours that cannot listen.
const ports = [
  routerPort,
  ...subgraphs.flatMap((subgraph) =>
    hasWorker(subgraph) ? [portOf(subgraph), portOf(subgraph) + WORKER_PORT_STEP] : [portOf(subgraph)],
  ),
];
const busy: number[] = [];
for (const port of ports) if (await portInUse(port)) busy.push(port);
if (busy.length > 0) {
  fail(
    `port ${busy.join(', ')} already in use (another npm start?); stop it, or set PORT_OFFSET ` +
      '(and DATABASE_NAME, EVENT_QUEUE_PREFIX) to run beside it',
  );
}

const { adminUrl } = devDatabase();
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
  LOG_LEVEL: env.LOG_LEVEL,
  REDIS_URL: env.REDIS_URL,
  INTERNAL_SECRET: secrets.INTERNAL_SECRET,
  // Each process loads some 1,500 modules, stripping the types of ours, as it starts: about 1.9 s of
  // CPU, 1.4 s once Node keeps what it compiled. It counts eleven times at start, and again at each
  // restart of a crashed process.
  NODE_COMPILE_CACHE: env.NODE_COMPILE_CACHE ?? new URL('../.local/compile-cache/', import.meta.url).pathname,
};
const subgraphUrl = (name: string, path: string, fallbackPort: number) => {
  const subgraph = subgraphs.find((entry) => entry.name === name);
  return `${local(subgraph ? portOf(subgraph) : fallbackPort + env.PORT_OFFSET)}${path}`;
};
// The one call between subgraphs that skips the router: orders reads prices from products.
const peers = { PRODUCTS_URL: subgraphUrl('products', '/graphql', 4002) };

const colors = new Map<string, number>();
const services: ProcessSpec[] = subgraphs.flatMap((subgraph, index) => {
  const { name } = subgraph;
  const port = portOf(subgraph);
  const color = COLORS[index % COLORS.length] ?? 36;
  const apiEnv = {
    ...shared,
    ...peers,
    PORT: String(port),
    DATABASE_URL: devSubgraphDatabaseUrl(name),
    DATABASE_SCHEMA: name,
    SEED_ON_START: 'true',
    JWT_PRIVATE_KEY: secrets.JWT_PRIVATE_KEY,
  };
  const api = { name, entry: `subgraphs/${name}/src/main.ts`, env: apiEnv, readyUrl: `${local(port)}/ready` };
  colors.set(name, color);
  if (!hasWorker(subgraph)) return [api];
  const workerPort = port + WORKER_PORT_STEP;
  colors.set(`${name}-worker`, color);
  return [
    api,
    {
      name: `${name}-worker`,
      entry: `subgraphs/${name}/src/worker-main.ts`,
      env: { ...apiEnv, WORKER_PORT: String(workerPort) },
      readyUrl: `${local(workerPort)}/ready`,
      // On one machine a burst of sagas would otherwise take the CPU from the APIs' answers, up to
      // past their deadlines (orders gives products 2 s for a price); the events wait instead.
      niceness: WORKER_NICENESS,
    },
  ];
});
const router: ProcessSpec = {
  name: 'router',
  entry: 'router/src/main.ts',
  env: {
    ...shared,
    PORT: String(routerPort),
    JWKS_URL: subgraphUrl('users', '/.well-known/jwks.json', 4001),
    // The supergraph's routing URLs say localhost:4001 and so on; with PORT_OFFSET they are elsewhere.
    SUBGRAPH_URLS: subgraphs
      .map((subgraph) => `${subgraph.name}=${local(portOf(subgraph))}/graphql`)
      .join(','),
    NODE_OPTIONS: routerNodeOptions(env.NODE_OPTIONS),
  },
  readyUrl: `${local(routerPort)}/ready`,
};
colors.set(router.name, ROUTER_COLOR);

const width = Math.max(20, ...[...colors.keys()].map((name) => name.length + 1));
const prefix = (name: string) =>
  process.stdout.isTTY
    ? `\u001b[${colors.get(name) ?? 36}m${name.padEnd(width)}|\u001b[0m `
    : `${name.padEnd(width)}| `;
const supervisor = new Supervisor({
  cwd: ROOT.pathname,
  env: process.env,
  log: (line) => process.stderr.write(`start: ${line}\n`),
  output: (name, line) => process.stdout.write(`${prefix(name)}${line}\n`),
});

let exiting: Promise<void> | undefined;
function stopAndExit(code: number): Promise<void> {
  exiting ??= supervisor.stop().then(() => process.exit(code));
  return exiting;
}
// SIGHUP: the terminal closed. The processes, in process groups of their own, would not hear it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAndExit(0));
// Nor would they notice this process crashing: they go with it.
process.on('exit', () => supervisor.kill());

try {
  await supervisor.start([services, [router]]);
} catch (error) {
  if (!exiting)
    process.stderr.write(
      `start: ${error instanceof Error ? error.message : String(error)}; stopping everything\n`,
    );
  await stopAndExit(1);
}
process.stdout.write(
  `\nsupergraph is up: Apollo Sandbox at http://localhost:${routerPort} (${subgraphs.length} subgraphs). ` +
    'A process that exits is restarted; Ctrl-C stops them all.\n\n',
);

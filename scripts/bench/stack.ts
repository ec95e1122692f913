// The supergraph a bench runs against, started the way `npm start` starts it (each subgraph, and each
// domain's worker where asked, as its own process applying its migrations and seed) but apart from
// the development one: its own database, recreated empty each run, its own ports, its own Redis key
// prefix, and a copy of supergraph.graphql whose routing URLs point at those ports. Subgraphs reach
// Postgres through the statement-counting proxy.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { provisionSubgraphSchema, withDatabaseName } from '@supergraph/db';
import { connectRedis } from '@supergraph/server-kit';
import { devDatabase, devSecrets } from '../dev-env.ts';
import { readSupergraphConfig, ROOT, SUPERGRAPH_FILE, type SubgraphEntry } from '../supergraph-config.ts';
import type { Backend, BenchSubgraph } from './backend.ts';
import { subgraphRequestCounts } from './measure.ts';
import type { Managed, ProcessGroup } from './processes.ts';
import type { StatementCounts } from './sql-proxy.ts';

/** Where the gateways run, and where everything else runs (the load generator included). */
export const GATEWAY_CPU = '0';
export const SUPPORT_CPU = '1';
/** The statement-counting proxy's process name. */
export const SQL_PROXY = 'sql-proxy';

export interface StackOptions {
  group: ProcessGroup;
  portBase: number;
  database: string;
  logDir: string;
  logLevel: string;
  /** Start each domain's event worker too (the saga bench). */
  workers: boolean;
  redisUrl: string;
  /** Keeps this bench's queues and counters apart in a Redis others use; removed before and after. */
  redisPrefix: string;
  /** Variables added to every subgraph and worker (EVENT_CONCURRENCY for the saga bench). */
  extraEnv?: Record<string, string>;
  /**
   * Put the statement-counting proxy between the subgraphs and Postgres (the default). A bench that
   * counts no statements leaves it out: it costs CPU on the machine under test, about 8 ms per order
   * in the saga.
   */
  countStatements?: boolean;
}

/**
 * The shop's supergraph: its subgraphs on Postgres. `sqlProxy` and `sqlCounts` are absent when the stack
 * counts no statements (StackOptions.countStatements).
 */
export interface Stack extends Backend {
  workers: Managed[];
  adminUrl: string;
  database: string;
  /** Drops the bench database, once every process using it has stopped. */
  dropDatabase: () => Promise<void>;
}

/**
 * Ports: the router at the base, subgraphs and workers at the same offsets as in development, the lean
 * subgraphs of the gateways-bench scenario at +41 and on.
 */
export function benchPorts(base: number) {
  return {
    router: base,
    /** The routers of --router-variant, in order. */
    routerVariant: (index: number) => base + 30 + index,
    apolloGateway: base + 10,
    hiveGateway: base + 11,
    hiveGatewayRust: base + 12,
    sqlProxy: base + 20,
    sqlProxyHttp: base + 21,
    subgraph: (entry: SubgraphEntry) => base + (Number(new URL(entry.routingUrl).port) % 1000),
    worker: (entry: SubgraphEntry) => base + 100 + (Number(new URL(entry.routingUrl).port) % 1000),
    leanSubgraph: (index: number) => base + 41 + index,
  };
}

async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  if (database === devDatabase().database) {
    throw new Error(
      `refusing to drop "${database}": it is the development database; pick another --database`,
    );
  }
  const client = new pg.Client({ connectionString: withDatabaseName(adminUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${database}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Drops the bench database (never the development one) and provisions every subgraph's schema in it. */
async function recreateDatabase(
  adminUrl: string,
  database: string,
  subgraphs: SubgraphEntry[],
): Promise<void> {
  await dropDatabase(adminUrl, database);
  for (const { name } of subgraphs)
    await provisionSubgraphSchema(adminUrl, { database, name, password: name });
}

/** supergraph.graphql with each subgraph's routing URL replaced by its bench URL. */
function writeBenchSupergraph(file: string, urls: Map<string, string>, subgraphs: SubgraphEntry[]): void {
  let sdl = readFileSync(SUPERGRAPH_FILE, 'utf8');
  for (const entry of subgraphs) {
    const url = urls.get(entry.name);
    if (!sdl.includes(`url: "${entry.routingUrl}"`)) {
      throw new Error(`supergraph.graphql has no routing URL ${entry.routingUrl}; run npm run compose`);
    }
    if (url) sdl = sdl.replaceAll(`url: "${entry.routingUrl}"`, `url: "${url}"`);
  }
  writeFileSync(file, sdl);
}

export async function removeKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = await connectRedis(redisUrl);
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The gateways' ports, which every supergraph's targets use in turn. */
export function gatewayPorts(base: number): number[] {
  const ports = benchPorts(base);
  return [ports.router, ports.apolloGateway, ports.hiveGateway, ports.hiveGatewayRust];
}

/** Refuses to start over another process's ports: a readiness check could be answered by it. */
export async function checkPortsFree(wanted: number[]): Promise<void> {
  const busy: number[] = [];
  for (const port of wanted) if (!(await portIsFree(port))) busy.push(port);
  if (busy.length > 0) {
    throw new Error(
      `port ${busy.join(', ')} already in use (another bench still running?); stop it or pass --port-base`,
    );
  }
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { group, database } = options;
  const ports = benchPorts(options.portBase);
  const { adminUrl, host, port: postgresPort } = devDatabase();
  const { subgraphs } = readSupergraphConfig();
  await checkPortsFree([
    ...gatewayPorts(options.portBase),
    ports.sqlProxy,
    ports.sqlProxyHttp,
    ...subgraphs.flatMap((entry) => [ports.subgraph(entry), ports.worker(entry)]),
  ]);
  const secrets = devSecrets();
  await recreateDatabase(adminUrl, database, subgraphs);
  await removeKeys(options.redisUrl, options.redisPrefix);

  const urls = new Map(
    subgraphs.map((entry) => [entry.name, `http://127.0.0.1:${ports.subgraph(entry)}/graphql`]),
  );
  const supergraphPath = join(options.logDir, 'supergraph.graphql');
  writeBenchSupergraph(supergraphPath, urls, subgraphs);

  const countsUrl = `http://127.0.0.1:${ports.sqlProxyHttp}/counts`;
  let proxy: Managed | undefined;
  if (options.countStatements ?? true) {
    proxy = group.launch(
      SQL_PROXY,
      'scripts/bench/sql-proxy-main.ts',
      {
        BENCH_SQL_PROXY_PORT: String(ports.sqlProxy),
        BENCH_SQL_PROXY_HTTP_PORT: String(ports.sqlProxyHttp),
        BENCH_POSTGRES_HOST: host,
        BENCH_POSTGRES_PORT: postgresPort,
      },
      SUPPORT_CPU,
    );
    await group.waitReady(proxy, `http://127.0.0.1:${ports.sqlProxyHttp}/ready`);
  }
  const postgresAddress = proxy ? `127.0.0.1:${ports.sqlProxy}` : `${host}:${postgresPort}`;

  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel,
    REDIS_URL: options.redisUrl,
    INTERNAL_SECRET: secrets.INTERNAL_SECRET,
    EVENT_QUEUE_PREFIX: options.redisPrefix,
    ...options.extraEnv,
  };
  const productsUrl = urls.get('products') ?? '';
  const started: BenchSubgraph[] = [];
  const workers: Managed[] = [];
  const ready: Promise<void>[] = [];
  for (const entry of subgraphs) {
    const port = ports.subgraph(entry);
    const databaseUrl = `postgres://${entry.name}:${entry.name}@${postgresAddress}/${database}`;
    const subgraphEnv = {
      ...env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_SCHEMA: entry.name,
      SEED_ON_START: 'true',
      JWT_PRIVATE_KEY: secrets.JWT_PRIVATE_KEY,
      PRODUCTS_URL: productsUrl,
      WORKER_PORT: String(ports.worker(entry)),
    };
    const api = group.launch(entry.name, `subgraphs/${entry.name}/src/main.ts`, subgraphEnv, SUPPORT_CPU);
    const origin = `http://127.0.0.1:${port}`;
    started.push({ name: entry.name, url: `${origin}/graphql`, origin, process: api });
    ready.push(group.waitReady(api, `${origin}/ready`));
    const workerEntry = `subgraphs/${entry.name}/src/worker-main.ts`;
    if (options.workers && existsSync(new URL(workerEntry, ROOT))) {
      const worker = group.launch(`${entry.name}-worker`, workerEntry, subgraphEnv, SUPPORT_CPU);
      workers.push(worker);
      ready.push(group.waitReady(worker, `http://127.0.0.1:${ports.worker(entry)}/ready`));
    }
  }
  await Promise.all(ready);

  const users = started.find((subgraph) => subgraph.name === 'users');
  return {
    subgraphs: started,
    workers,
    sqlProxy: proxy,
    supergraphPath,
    jwksUrl: `${users?.origin ?? ''}/.well-known/jwks.json`,
    adminUrl,
    database,
    env,
    routerEnv: {},
    requestCounts: () => subgraphRequestCounts(started),
    ...(proxy
      ? {
          sqlCounts: async () => (await (await fetch(countsUrl)).json()) as Record<string, StatementCounts>,
        }
      : {}),
    removeRedisKeys: () => removeKeys(options.redisUrl, options.redisPrefix),
    dropDatabase: () => dropDatabase(adminUrl, database),
  };
}

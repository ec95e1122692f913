import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import pg from 'pg';
import { withDatabaseName } from '@supergraph/db';
import { eventually, TEST_ADMIN_DATABASE_URL } from '@supergraph/testing';
import { readSupergraphConfig } from '../../scripts/supergraph-config.ts';
import { freePortOffset } from './port-offset.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface NpmStart {
  pid: number;
  routerUrl: string;
  /** The run's own database (DATABASE_NAME). */
  database: string;
  /** The supervisor's own lines so far (its stderr), without the `start: ` prefix. */
  log: string[];
  /** The processes' output so far, each line with its `name | ` prefix. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Each process's pid, from the latest of the supervisor's `<name> started (pid N)` lines. */
  pids: () => Map<string, number>;
  /** The first supervisor line from `from` on that matches, once there is one. */
  waitForLog: (pattern: RegExp, options?: { from?: number; ms?: number }) => Promise<RegExpMatchArray>;
  /** Resolves once the supervisor says the supergraph is up. */
  up: () => Promise<void>;
  /** Kills whatever of this run is still running, drops its database and removes its Redis keys. */
  cleanUp: () => Promise<void>;
}

/** Whether `pid` is a process of this run: every one inherits the run's DATABASE_NAME. */
function isOurs(pid: number, database: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DATABASE_NAME=${database}`);
  } catch {
    return false;
  }
}

async function dropDatabase(database: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabaseName(TEST_ADMIN_DATABASE_URL, 'postgres') });
  await client.connect();
  try {
    await client.query(`drop database if exists "${database}" with (force)`);
  } finally {
    await client.end();
  }
}

async function removeRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * Runs `node scripts/start.ts` as a user runs `npm start`, apart from everything else on the machine:
 * its ports shifted (PORT_OFFSET) to where all are free, a database of its own, its own Redis key
 * prefixes for the queues and the rate limits. `env` adds to (or overrides) its environment.
 */
export async function launchNpmStart(env: Record<string, string> = {}): Promise<NpmStart> {
  const { subgraphs } = readSupergraphConfig();
  const basePorts = subgraphs.map((subgraph) => Number(new URL(subgraph.routingUrl).port));
  const offset = await freePortOffset([4000, ...basePorts, ...basePorts.map((port) => port + 100)]);
  const id = randomBytes(4).toString('hex');
  const database = `supergraph_start_${id}`;
  const prefix = `start_${id}`;
  const child = spawn(process.execPath, ['scripts/start.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT_OFFSET: String(offset),
      DATABASE_ADMIN_URL: TEST_ADMIN_DATABASE_URL,
      DATABASE_NAME: database,
      REDIS_URL,
      EVENT_QUEUE_PREFIX: prefix,
      RATE_LIMIT_KEY_PREFIX: `${prefix}:rate-limit`,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('node scripts/start.ts did not spawn');
  const log: string[] = [];
  const output: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => log.push(line.replace(/^start: /, '')));
  // 'close', not 'exit': by then every line it wrote has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );

  const pids = () => {
    const found = new Map<string, number>();
    for (const line of log) {
      const match = /^(\S+) started \(pid (\d+)\)$/.exec(line);
      if (match) found.set(match[1]!, Number(match[2]));
    }
    return found;
  };
  const everStarted = () =>
    log.flatMap((line) => {
      const match = /started \(pid (\d+)\)$/.exec(line);
      return match ? [Number(match[1])] : [];
    });

  return {
    pid: child.pid,
    database,
    routerUrl: `http://127.0.0.1:${4000 + offset}/`,
    log,
    output,
    exited,
    pids,
    waitForLog: (pattern, { from = 0, ms = 60_000 } = {}) =>
      eventually(async () => {
        for (const line of log.slice(from)) {
          const match = pattern.exec(line);
          if (match) return match;
        }
        return undefined;
      }, ms),
    up: async () => {
      await eventually(async () => {
        if (child.exitCode !== null) {
          throw new Error(`npm start exited (code ${child.exitCode}): ${log.join(' / ')}`);
        }
        return output.some((line) => line.startsWith('supergraph is up')) ? true : undefined;
      }, 240_000);
    },
    cleanUp: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      // Killed at once, the supervisor could not stop its processes, which run in groups of their own.
      for (const pid of everStarted()) {
        if (isOurs(pid, database)) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // Gone meanwhile.
          }
        }
      }
      await eventually(async () => (everStarted().some((pid) => isOurs(pid, database)) ? undefined : true));
      await dropDatabase(database);
      await removeRedisKeys(prefix);
    },
  };
}

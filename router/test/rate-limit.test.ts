import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '@supergraph/config';
import { createLogger } from '@supergraph/logging';
import type { SubgraphServer } from '@supergraph/server-kit';
import { eventually } from '@supergraph/testing';
import { startRouter, type Router, type RouterOverrides } from '../src/app.ts';
import { startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { startPlainSubgraph } from './support/plain-subgraph.ts';

// Budgets per caller, counted in Redis: queries and mutations apart, signed-in users by id, anyone else
// by address, each mutation field a point. A refusal is a 429 with RATE_LIMITED and Retry-After, and
// reaches no subgraph.

/** A subgraph with a mutation, which the whoami subgraph lacks; `bump` counts the times it ran. */
const COUNTER_TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    hello: String
  }
  type Mutation {
    bump: Int!
  }
`;

let bumps = 0;
let subgraph: SubgraphServer;
let jwks: JwksServer;
let supergraph: SupergraphFile;
const routers: Router[] = [];

beforeAll(async () => {
  subgraph = await startPlainSubgraph('counter', COUNTER_TYPE_DEFS, {
    Query: { hello: () => 'hi' },
    Mutation: { bump: () => (bumps += 1) },
  });
  jwks = await startJwksServer();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'counter', url: subgraph.url, typeDefs: COUNTER_TYPE_DEFS }]),
  );
});

afterAll(async () => {
  for (const router of routers) await router.stop();
  await subgraph?.stop();
  await jwks?.stop();
  supergraph?.remove();
});

/** A router on a key prefix of its own, so no other router (or earlier run) shares its counters. */
async function startLimitedRouter(
  vars: Record<string, string>,
  overrides?: RouterOverrides,
): Promise<Router> {
  const router = await startRouter(
    routerTestEnv({
      SUPERGRAPH_PATH: supergraph.path,
      JWKS_URL: jwks.url,
      RATE_LIMIT_KEY_PREFIX: `test:rate-limit:${randomUUID()}`,
      ...vars,
    }),
    overrides,
  );
  routers.push(router);
  return router;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function send(
  router: Router,
  query: string,
  caller: { user?: string; forwardedFor?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (caller.user) headers.authorization = `Bearer ${await jwks.sign(caller.user, 'CUSTOMER')}`;
  if (caller.forwardedFor) headers['x-forwarded-for'] = caller.forwardedFor;
  const response = await fetch(`${router.url}graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    ...((await response.json()) as Omit<Answer, 'status' | 'retryAfter'>),
  };
}

/** Sends the same operation `times` times as one caller; every answer must be a success. */
async function spend(
  router: Router,
  query: string,
  times: number,
  caller: { user?: string; forwardedFor?: string },
) {
  for (let attempt = 0; attempt < times; attempt += 1) {
    const answer = await send(router, query, caller);
    expect({ status: answer.status, errors: answer.errors }).toEqual({ status: 200, errors: undefined });
  }
}

/** Operations the counter subgraph has executed, from its own /metrics. */
async function subgraphOperations(): Promise<number> {
  const text = await (await fetch(new URL('/metrics', subgraph.url))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('graphql_operation_duration_seconds_count{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

async function metric(router: Router, name: RegExp): Promise<number> {
  const text = await (await fetch(`${router.url}metrics`)).text();
  const line = text.split('\n').find((candidate) => name.test(candidate));
  return line ? Number(line.split(' ').pop()) : 0;
}

const QUERY = '{ hello }';
const MUTATION = 'mutation { bump }';

/** The refusal a client sees, whatever the number of seconds it names. */
function expectRefusal(answer: Answer, operations: 'queries' | 'mutations'): void {
  expect(answer.status).toBe(429);
  expect(answer.retryAfter).toMatch(/^\d+$/);
  const seconds = Number(answer.retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(answer.data).toBeUndefined();
  expect(answer.errors).toEqual([
    {
      message: `Too many ${operations}; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
      extensions: { code: 'RATE_LIMITED' },
    },
  ]);
}

describe('rate limits per caller', () => {
  let router: Router;

  beforeAll(async () => {
    router = await startLimitedRouter({
      RATE_LIMIT_QUERIES_PER_MINUTE: '3',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '5',
    });
  });

  it('refuses a query over the budget with 429, RATE_LIMITED and Retry-After, before any subgraph is called', async () => {
    await spend(router, QUERY, 3, { user: 'over-queries' });
    const before = await subgraphOperations();
    expectRefusal(await send(router, QUERY, { user: 'over-queries' }), 'queries');
    expect(await subgraphOperations()).toBe(before);
  });

  it('refuses a mutation over the budget without running it', async () => {
    await spend(router, MUTATION, 5, { user: 'over-mutations' });
    const [operationsBefore, bumpsBefore] = [await subgraphOperations(), bumps];
    expectRefusal(await send(router, MUTATION, { user: 'over-mutations' }), 'mutations');
    expect(await subgraphOperations()).toBe(operationsBefore);
    expect(bumps).toBe(bumpsBefore);
  });

  it('keeps separate budgets for queries and mutations', async () => {
    await spend(router, QUERY, 3, { user: 'browser' });
    expect((await send(router, QUERY, { user: 'browser' })).status).toBe(429);
    await spend(router, MUTATION, 5, { user: 'browser' });
    expect((await send(router, MUTATION, { user: 'browser' })).status).toBe(429);

    await spend(router, MUTATION, 5, { user: 'buyer' });
    expect((await send(router, MUTATION, { user: 'buyer' })).status).toBe(429);
    await spend(router, QUERY, 3, { user: 'buyer' });
  });

  it('counts each aliased mutation field, in fragments too', async () => {
    const before = bumps;
    const three = await send(router, 'mutation { a: bump b: bump c: bump }', { user: 'aliases' });
    expect(three).toMatchObject({
      status: 200,
      data: { a: expect.any(Number), b: expect.any(Number), c: expect.any(Number) },
    });
    const two = await send(router, 'mutation { ...Two } fragment Two on Mutation { x: bump y: bump }', {
      user: 'aliases',
    });
    expect(two).toMatchObject({ status: 200, data: { x: expect.any(Number), y: expect.any(Number) } });
    expect(bumps - before).toBe(5);

    expectRefusal(await send(router, MUTATION, { user: 'aliases' }), 'mutations');
    expect(bumps - before).toBe(5);
  });

  it('refuses a mutation with more fields than the whole budget, running none of them', async () => {
    const before = bumps;
    const six = Array.from({ length: 6 }, (_, i) => `m${i}: bump`).join(' ');
    expectRefusal(await send(router, `mutation { ${six} }`, { user: 'greedy' }), 'mutations');
    expect(bumps).toBe(before);
  });

  it('counts a field repeated without an alias once, as GraphQL runs it once', async () => {
    const before = bumps;
    expect(await send(router, 'mutation { bump bump }', { user: 'repeat' })).toMatchObject({
      status: 200,
      data: { bump: expect.any(Number) },
    });
    expect(bumps - before).toBe(1);
    await spend(router, MUTATION, 4, { user: 'repeat' });
    expect((await send(router, MUTATION, { user: 'repeat' })).status).toBe(429);
  });

  it('gives each signed-in user a budget of their own, apart from anonymous callers', async () => {
    await spend(router, QUERY, 3, { user: 'user-1' });
    expect((await send(router, QUERY, { user: 'user-1' })).status).toBe(429);
    expect(await send(router, QUERY, { user: 'user-2' })).toMatchObject({
      status: 200,
      data: { hello: 'hi' },
    });
    expect(await send(router, QUERY)).toMatchObject({ status: 200, data: { hello: 'hi' } });
  });

  it('limits anonymous callers by the connection address, ignoring X-Forwarded-For by default', async () => {
    // Every request here comes from 127.0.0.1, whatever the header claims.
    for (const [attempt, claimed] of ['203.0.113.1', '203.0.113.2'].entries()) {
      const answer = await send(router, QUERY, { forwardedFor: claimed });
      expect({ attempt, status: answer.status }).toEqual({ attempt, status: 200 });
    }
    expectRefusal(await send(router, QUERY, { forwardedFor: '203.0.113.3' }), 'queries');
  });

  it('counts refusals in /metrics by kind', async () => {
    const queries = /^rate_limit_rejections_total\{kind="query"/;
    const mutations = /^rate_limit_rejections_total\{kind="mutation"/;
    const [queriesBefore, mutationsBefore] = [await metric(router, queries), await metric(router, mutations)];
    await send(router, QUERY, { user: 'over-queries' });
    await send(router, MUTATION, { user: 'over-mutations' });
    await send(router, MUTATION, { user: 'over-mutations' });
    expect(await metric(router, queries)).toBe(queriesBefore + 1);
    expect(await metric(router, mutations)).toBe(mutationsBefore + 2);
  });
});

describe('rate limits behind a trusted proxy', () => {
  let router: Router;

  beforeAll(async () => {
    router = await startLimitedRouter({ TRUSTED_PROXY_HOPS: '1', RATE_LIMIT_QUERIES_PER_MINUTE: '2' });
  });

  it('limits by the address our proxy appended, whatever the client wrote before it', async () => {
    await spend(router, QUERY, 2, { forwardedFor: '203.0.113.7' });
    expectRefusal(await send(router, QUERY, { forwardedFor: '198.51.100.1, 203.0.113.7' }), 'queries');
    expect((await send(router, QUERY, { forwardedFor: '203.0.113.8' })).status).toBe(200);
    expect((await send(router, QUERY, { forwardedFor: '203.0.113.7, 203.0.113.9' })).status).toBe(200);
  });

  it('counts an IPv6 /64 network as one caller', async () => {
    await spend(router, QUERY, 1, { forwardedFor: '2001:db8:1:2::1' });
    await spend(router, QUERY, 1, { forwardedFor: '2001:0DB8:0001:0002:ffff:ffff:ffff:ffff' });
    expectRefusal(await send(router, QUERY, { forwardedFor: '2001:db8:1:2:abcd::3' }), 'queries');
    expect((await send(router, QUERY, { forwardedFor: '2001:db8:1:3::1' })).status).toBe(200);
  });

  it('still limits a signed-in user by id, from any address', async () => {
    await spend(router, QUERY, 1, { user: 'roaming', forwardedFor: '192.0.2.1' });
    await spend(router, QUERY, 1, { user: 'roaming', forwardedFor: '192.0.2.2' });
    expect((await send(router, QUERY, { user: 'roaming', forwardedFor: '192.0.2.3' })).status).toBe(429);
  });
});

interface RedisProxy {
  url: string;
  /** Redis stops answering: commands are swallowed, the connection stays up. */
  stall: () => void;
  /** Redis goes away: connections are dropped and new ones refused. */
  cut: () => Promise<void>;
  /** Redis is back on the same address. */
  restore: () => Promise<void>;
}

/**
 * Stands between one router and Redis, so a test can take Redis away from that router without
 * touching the Redis the other tests share.
 */
async function startRedisProxy(target: URL): Promise<RedisProxy> {
  const sockets = new Set<Socket>();
  let stalled = false;
  const server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => {
      if (!stalled) upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    stall: () => {
      stalled = true;
    },
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    restore: async () => {
      stalled = false;
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
  };
}

describe('rate limits with Redis unavailable', () => {
  let router: Router;
  let redis: RedisProxy;
  const logLines: string[] = [];

  beforeAll(async () => {
    redis = await startRedisProxy(new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'));
    const logger = createLogger({
      name: 'router',
      level: 'info',
      destination: { write: (line) => logLines.push(line) },
    });
    router = await startLimitedRouter(
      { REDIS_URL: redis.url, RATE_LIMIT_QUERIES_PER_MINUTE: '2' },
      { logger },
    );
  });

  afterAll(async () => {
    // The router first, while Redis is there for it to say goodbye to (stopping twice is harmless).
    await router?.stop();
    await redis?.cut();
  });

  const storeErrors = () => metric(router, /^rate_limit_store_errors_total\{/);

  it('keeps serving and limiting, counting in memory, when Redis stops answering or goes away', async () => {
    await spend(router, QUERY, 1, { user: 'during-outage' });
    expect(await storeErrors()).toBe(0);

    redis.stall();
    // The budget already spent in Redis is not known to this instance: it counts afresh.
    await spend(router, QUERY, 2, { user: 'during-outage' });
    expectRefusal(await send(router, QUERY, { user: 'during-outage' }), 'queries');

    await redis.cut();
    expectRefusal(await send(router, QUERY, { user: 'during-outage' }), 'queries');
    await spend(router, QUERY, 2, { user: 'someone-else' });

    expect(await storeErrors()).toBe(6);
    expect(logLines.filter((line) => line.includes('rate limits cannot be counted in Redis'))).toHaveLength(
      1,
    );
  });

  it('counts in Redis again once it is back', async () => {
    await redis.restore();
    // The client reconnects on its own schedule; each probe is a new caller, so none runs out.
    await eventually(async () => {
      await send(router, QUERY, { user: `probe-${randomUUID()}` });
      return logLines.some((line) => line.includes('rate limits are counted in Redis again')) || undefined;
    });
    const errors = await storeErrors();
    await spend(router, QUERY, 2, { user: 'after-outage' });
    expectRefusal(await send(router, QUERY, { user: 'after-outage' }), 'queries');
    expect(await storeErrors()).toBe(errors);
  });
});

describe('rate limit configuration', () => {
  it('refuses a budget of 0, which would refuse every request', () => {
    expect(() =>
      routerTestEnv({
        SUPERGRAPH_PATH: 'unused',
        JWKS_URL: 'http://127.0.0.1:9/jwks.json',
        RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      }),
    ).toThrow(ConfigError);
  });

  it('defaults to 600 queries and 60 mutations a minute, and no trusted proxy', () => {
    expect(
      routerTestEnv({ SUPERGRAPH_PATH: 'unused', JWKS_URL: 'http://127.0.0.1:9/jwks.json' }),
    ).toMatchObject({
      RATE_LIMIT_QUERIES_PER_MINUTE: 600,
      RATE_LIMIT_MUTATIONS_PER_MINUTE: 60,
      TRUSTED_PROXY_HOPS: 0,
    });
  });
});

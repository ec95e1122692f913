import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { StartupError } from '@supergraph/config';
import type { SubgraphServer } from '@supergraph/server-kit';
import { startRouter, type Router } from '../src/app.ts';
import { formatManifest, operationId } from '../src/persisted-query-manifest.ts';
import { startPrivateRedis, type PrivateRedis } from '../../test/support/private-redis.ts';
import { startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { startPlainSubgraph } from './support/plain-subgraph.ts';

// Automatic persisted queries in Redis, shared by every router replica, and safelist mode, where only
// the operations of a committed manifest run. `calls` counts what reached the subgraph.

const TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    greeting: String
    secret: String
  }
`;
const GREETING = 'query Greeting {\n  greeting\n}';
const GREETING_ID = operationId(GREETING);
const APQ_TTL_SECONDS = 300;

const calls = { greeting: 0, secret: 0 };
let subgraph: SubgraphServer;
let jwks: JwksServer;
let supergraph: SupergraphFile;
let redis: Redis;
let dir: string;
const routers: Router[] = [];
const keyPrefix = `test:apq:${randomUUID()}:`;

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A request as Apollo Client's persisted query link sends it: the hash, and the text when asked. */
async function send(
  router: Router,
  body: { query?: string; id?: string; operationName?: string },
): Promise<Answer> {
  const extensions = body.id ? { persistedQuery: { version: 1, sha256Hash: body.id } } : undefined;
  const response = await fetch(`${router.url}graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: body.query, operationName: body.operationName, extensions }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

/** The same by GET, the form CDNs cache: only the hash travels. */
async function sendGet(router: Router, id: string): Promise<Answer> {
  const params = new URLSearchParams({
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: id } }),
  });
  const response = await fetch(`${router.url}graphql?${params}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  return { status: response.status, ...((await response.json()) as object) };
}

async function router(vars: Record<string, string> = {}): Promise<Router> {
  const started = await startRouter(
    routerTestEnv({
      SUPERGRAPH_PATH: supergraph.path,
      JWKS_URL: jwks.url,
      APQ_KEY_PREFIX: keyPrefix,
      APQ_TTL_SECONDS: String(APQ_TTL_SECONDS),
      ...vars,
    }),
  );
  routers.push(started);
  return started;
}

function writeManifest(name: string, operations: Array<{ id: string; name: string; body: string }>): string {
  const path = join(dir, name);
  writeFileSync(path, formatManifest(operations.map((operation) => ({ ...operation, type: 'query' }))));
  return path;
}

beforeAll(async () => {
  subgraph = await startPlainSubgraph('greeter', TYPE_DEFS, {
    Query: {
      greeting: () => ((calls.greeting += 1), 'hello'),
      secret: () => ((calls.secret += 1), 'the secret'),
    },
  });
  jwks = await startJwksServer();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'greeter', url: subgraph.url, typeDefs: TYPE_DEFS }]),
  );
  redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  dir = mkdtempSync(join(tmpdir(), 'persisted-queries-'));
});

afterAll(async () => {
  for (const started of routers) await started.stop();
  await subgraph?.stop();
  await jwks?.stop();
  supergraph?.remove();
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

describe('automatic persisted queries', () => {
  it('asks for the text of an unknown hash, then serves the hash alone on every replica', async () => {
    const query = `query Fresh${randomUUID().replaceAll('-', '')} { greeting }`;
    const id = operationId(query);
    const [first, second] = [await router(), await router()];

    const before = calls.greeting;
    const unknown = await send(first, { id });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.data).toBeUndefined();
    expect(calls.greeting).toBe(before);

    expect(await send(first, { id, query })).toMatchObject({ status: 200, data: { greeting: 'hello' } });
    const key = `${keyPrefix}apq:${id}`;
    expect(await redis.get(key)).toBe(query);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(APQ_TTL_SECONDS);

    // The other replica never saw the text: Redis is what they share.
    expect(await send(second, { id })).toEqual({ status: 200, data: { greeting: 'hello' } });
    expect(await sendGet(second, id)).toEqual({ status: 200, data: { greeting: 'hello' } });
    expect(calls.greeting).toBe(before + 3);
  });

  it('refuses a hash that is not the hash of the text sent with it, and stores nothing', async () => {
    const started = await router();
    const id = operationId('{ greeting }');
    const answer = await send(started, { id, query: '{ secret }' });
    expect(answer.status).toBe(400);
    expect(answer.errors?.[0]).toMatchObject({
      message: 'provided sha does not match query',
      extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH' },
    });
    expect(await redis.exists(`${keyPrefix}apq:${id}`)).toBe(0);
  });

  it('still answers with Redis gone: a hash alone is not found, the full text runs', async () => {
    const privateRedis: PrivateRedis = await startPrivateRedis();
    const started = await router({ REDIS_URL: privateRedis.url });
    try {
      const query = '{ greeting }';
      const id = operationId(query);
      expect((await send(started, { id, query })).data).toEqual({ greeting: 'hello' });
      expect((await send(started, { id })).data).toEqual({ greeting: 'hello' });

      await privateRedis.kill();
      const lost = await send(started, { id });
      expect(lost.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      expect(await send(started, { id, query })).toEqual({ status: 200, data: { greeting: 'hello' } });
    } finally {
      await started.stop();
      routers.splice(routers.indexOf(started), 1);
      await privateRedis.kill();
    }
  });

  it('keeps registered queries in a Redis of their own when APQ_REDIS_URL is set', async () => {
    const privateRedis = await startPrivateRedis();
    const own = new Redis(privateRedis.url);
    try {
      const started = await router({ APQ_REDIS_URL: privateRedis.url });
      const query = `query Own${randomUUID().replaceAll('-', '')} { greeting }`;
      const id = operationId(query);
      expect((await send(started, { id, query })).data).toEqual({ greeting: 'hello' });
      expect(await own.get(`${keyPrefix}apq:${id}`)).toBe(query);
      expect(await redis.exists(`${keyPrefix}apq:${id}`)).toBe(0);
    } finally {
      own.disconnect();
      await privateRedis.kill();
    }
  });
});

describe('safelist mode', () => {
  let safelisted: Router;

  beforeAll(async () => {
    const manifest = writeManifest('manifest.json', [{ id: GREETING_ID, name: 'Greeting', body: GREETING }]);
    safelisted = await router({ PERSISTED_QUERIES: 'safelist', PERSISTED_QUERY_MANIFEST: manifest });
  });

  it('runs a listed operation by its id alone, or by its exact text', async () => {
    expect(await send(safelisted, { id: GREETING_ID })).toEqual({ status: 200, data: { greeting: 'hello' } });
    expect(await send(safelisted, { query: GREETING })).toEqual({ status: 200, data: { greeting: 'hello' } });
    expect(await sendGet(safelisted, GREETING_ID)).toEqual({ status: 200, data: { greeting: 'hello' } });
  });

  it('refuses anything else with PERSISTED_QUERY_NOT_IN_LIST before any subgraph is called', async () => {
    const before = { ...calls };
    for (const query of ['{ secret }', 'query Greeting { greeting }', `${GREETING} `]) {
      const answer = await send(safelisted, { query });
      expect(answer.status).toBe(400);
      expect(answer.data).toBeUndefined();
      expect(answer.errors).toEqual([
        {
          message:
            "This operation is not in the router's safelist: only the operations in the committed manifest run here.",
          extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' },
        },
      ]);
    }
    expect(calls).toEqual(before);
  });

  it('never lets a client register an operation', async () => {
    const query = '{ secret }';
    const id = operationId(query);
    expect((await send(safelisted, { id })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await send(safelisted, { id, query })).errors?.[0]?.extensions?.code).toBe(
      'PERSISTED_QUERY_NOT_IN_LIST',
    );
    expect((await send(safelisted, { id })).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(calls.secret).toBe(0);
  });

  it('refuses to start from a missing manifest or one whose id is not the hash of its body', async () => {
    const missing = join(dir, 'missing.json');
    const tampered = writeManifest('tampered.json', [
      { id: GREETING_ID, name: 'Greeting', body: '{ secret }' },
    ]);
    const cases = [
      [missing, `cannot read the persisted query manifest at ${missing}`],
      [tampered, "operation Greeting's id is not the sha256 of its body"],
    ] as const;
    for (const [path, message] of cases) {
      const failure = startRouter(
        routerTestEnv({
          SUPERGRAPH_PATH: supergraph.path,
          JWKS_URL: jwks.url,
          PERSISTED_QUERIES: 'safelist',
          PERSISTED_QUERY_MANIFEST: path,
        }),
      );
      await expect(failure).rejects.toBeInstanceOf(StartupError);
      await expect(failure).rejects.toMatchObject({
        message: expect.stringContaining(message),
        hint: expect.stringContaining('npm run persisted-queries'),
      });
    }
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import type { Redis } from 'ioredis';
import { IDENTITY_HEADERS, signInternalRequest } from '@supergraph/identity';
import { createLogger } from '@supergraph/logging';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/private-redis.ts';
import {
  connectRedis,
  createFallbackNonceStore,
  createInMemoryNonceStore,
  createRedisNonceStore,
  startSubgraphServer,
  type NonceStore,
  type SubgraphServer,
} from '../src/index.ts';

// Real subgraph servers in front of the real Redis, wired as startDatabaseSubgraph wires them: a signed
// request someone captured is refused when sent again, to the same replica or to another one.

const SECRET = 'replayed-signature-test-secret-0123456789';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY_PREFIX = `test:internal-nonce:${randomUUID()}:`;
const body = JSON.stringify({ query: '{ hello }' });

interface Replica {
  server: SubgraphServer;
  logs: Array<Record<string, unknown>>;
}

const redisClients: Redis[] = [];
let replicaA: Replica;
let replicaB: Replica;
let standalone: Replica;

async function startReplica(name: string, nonces?: (logger: ReturnType<typeof createLogger>) => NonceStore) {
  const logs: Replica['logs'] = [];
  const logger = createLogger({
    name,
    level: 'info',
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const server = await startSubgraphServer({
    name,
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { hello: String }`),
    resolvers: { Query: { hello: () => 'world' } },
    host: '127.0.0.1',
    port: 0,
    logger,
    internalSecret: SECRET,
    ...(nonces ? { nonces: nonces(logger) } : {}),
    production: true,
    readiness: {},
    createContext: (base) => base,
  });
  return { server, logs };
}

/** The store startDatabaseSubgraph gives a subgraph, on a Redis connection of the replica's own. */
function sharedNonces(redis: Redis) {
  redisClients.push(redis);
  return (logger: ReturnType<typeof createLogger>) =>
    createFallbackNonceStore({
      primary: createRedisNonceStore(redis, { keyPrefix: KEY_PREFIX }),
      fallback: createInMemoryNonceStore(),
      logger,
    });
}

async function send(replica: Replica, headers: Record<string, string>, sentBody = body) {
  const response = await fetch(replica.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: sentBody,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const answered = { status: 200, json: { data: { hello: 'world' } } };
const replayed = {
  status: 401,
  json: {
    errors: [
      expect.objectContaining({
        message: 'This subgraph only serves the router: replayed internal signature.',
        extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      }),
    ],
  },
};

beforeAll(async () => {
  const [redisA, redisB] = await Promise.all([connectRedis(REDIS_URL), connectRedis(REDIS_URL)]);
  [replicaA, replicaB, standalone] = await Promise.all([
    startReplica('replica-a', sharedNonces(redisA)),
    startReplica('replica-b', sharedNonces(redisB)),
    startReplica('standalone'),
  ]);
});

afterAll(async () => {
  await Promise.all([replicaA, replicaB, standalone].map((replica) => replica?.server.stop()));
  const [redis] = redisClients;
  if (redis) {
    const keys = await redis.keys(`${KEY_PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  for (const redis of redisClients) redis.disconnect();
});

describe('a signed request sent to a subgraph twice', () => {
  it('is answered the first time and refused the second, with the reason logged', async () => {
    const headers = signInternalRequest(SECRET, { identity: null, body });
    expect(await send(replicaA, headers)).toEqual(answered);
    expect(await send(replicaA, headers)).toEqual(replayed);
    expect(replicaA.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'refused an unsigned request',
        reason: 'replayed internal signature',
      }),
    );
  });

  it('is refused by another replica sharing the Redis', async () => {
    const headers = signInternalRequest(SECRET, { identity: { userId: 'u-1', role: 'CUSTOMER' }, body });
    expect(await send(replicaA, headers)).toEqual(answered);
    expect(await send(replicaB, headers)).toEqual(replayed);
  });

  it('is answered by each replica when each request is signed anew', async () => {
    for (const replica of [replicaA, replicaB, replicaA, replicaB]) {
      expect(await send(replica, signInternalRequest(SECRET, { identity: null, body }))).toEqual(answered);
    }
  });

  it('is answered after a refusal of its forged copy: a bad signature spends no nonce', async () => {
    const headers = signInternalRequest(SECRET, { identity: null, body });
    const forged = await send(replicaA, headers, JSON.stringify({ query: '{ __typename }' }));
    expect(forged.status).toBe(401);
    expect(JSON.stringify(forged.json)).toContain('invalid internal signature');
    expect(await send(replicaA, headers)).toEqual(answered);
  });

  it('is refused by a subgraph server given no store, from its own memory', async () => {
    const headers = signInternalRequest(SECRET, { identity: null, body });
    expect(await send(standalone, headers)).toEqual(answered);
    expect(await send(standalone, headers)).toEqual(replayed);
  });

  it('is refused for a nonce it does not carry', async () => {
    const { [IDENTITY_HEADERS.nonce]: _nonce, ...headers } = signInternalRequest(SECRET, {
      identity: null,
      body,
    });
    const response = await send(replicaA, headers);
    expect(response.status).toBe(401);
    expect(JSON.stringify(response.json)).toContain('missing internal nonce');
  });
});

describe('a subgraph whose Redis is down', () => {
  let privateRedis: PrivateRedis;
  let replica: Replica;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    replica = await startReplica('redis-down', sharedNonces(await connectRedis(privateRedis.url)));
    await privateRedis.kill();
  });

  afterAll(async () => {
    await replica?.server.stop();
    await privateRedis?.kill();
  });

  it('keeps serving signed requests and refusing their replays', async () => {
    const headers = signInternalRequest(SECRET, { identity: null, body });
    expect(await send(replica, headers)).toEqual(answered);
    expect(await send(replica, headers)).toEqual(replayed);
    expect(replica.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'nonce store unavailable: remembering request nonces in this process',
      }),
    );
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createLogger } from '@supergraph/logging';
import { eventually } from '@supergraph/testing';
import { startPrivateRedis, type PrivateRedis } from '../../../test/support/private-redis.ts';
import { createFallbackNonceStore } from '../src/fallback-nonce-store.ts';
import { createInMemoryNonceStore } from '../src/in-memory-nonce-store.ts';
import type { NonceStore } from '../src/nonce-store.ts';
import { createRedisNonceStore } from '../src/redis-nonce-store.ts';
import { connectRedis } from '../src/redis.ts';

function capturingLogger() {
  const lines: Array<{ level: string; msg: string }> = [];
  const logger = createLogger({
    name: 'nonce-test',
    level: 'info',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
  });
  return { logger, lines };
}

function fallbackOver(primary: NonceStore, timeoutMs?: number) {
  const { logger, lines } = capturingLogger();
  const store = createFallbackNonceStore({
    primary,
    fallback: createInMemoryNonceStore(),
    logger,
    timeoutMs,
  });
  return { store, lines };
}

const nonce = () => randomUUID();

describe('the nonce store with a fallback', () => {
  it('answers from the shared store while it answers', async () => {
    const shared = createInMemoryNonceStore();
    const { store, lines } = fallbackOver(shared);
    const first = nonce();
    expect(await store.claim(first, 60_000)).toBe(true);
    expect(shared.has(first)).toBe(true);
    expect(await store.claim(first, 60_000)).toBe(false);
    expect(lines).toEqual([]);
  });

  it('remembers nonces in memory while the shared store fails, saying so once', async () => {
    const { store, lines } = fallbackOver({
      claim: () => Promise.reject(new Error('Connection is closed.')),
    });
    const [first, second] = [nonce(), nonce()];
    expect(await store.claim(first, 60_000)).toBe(true);
    expect(await store.claim(second, 60_000)).toBe(true);
    expect(await store.claim(first, 60_000)).toBe(false);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'nonce store unavailable: remembering request nonces in this process',
      }),
    ]);
  });

  it('does not wait on a shared store that never answers', async () => {
    const { store } = fallbackOver({ claim: () => new Promise<boolean>(() => {}) }, 20);
    const first = nonce();
    expect(await store.claim(first, 60_000)).toBe(true);
    expect(await store.claim(first, 60_000)).toBe(false);
  });

  it('falls back when Redis is unreachable', async () => {
    // A port nothing listens on: the connection is refused.
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => {});
    try {
      const { store, lines } = fallbackOver(createRedisNonceStore(unreachable));
      const first = nonce();
      expect(await store.claim(first, 60_000)).toBe(true);
      expect(await store.claim(first, 60_000)).toBe(false);
      expect(lines.map((line) => line.level)).toEqual(['warn']);
    } finally {
      unreachable.disconnect();
    }
  });
});

describe('the nonce store with a fallback, on a Redis that goes away and comes back', () => {
  let privateRedis: PrivateRedis;
  let redis: Redis;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    redis = await connectRedis(privateRedis.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await privateRedis?.kill();
  });

  it('keeps refusing replays through the outage and after it', async () => {
    const { store, lines } = fallbackOver(createRedisNonceStore(redis, { keyPrefix: 'test:' }));
    const before = nonce();
    expect(await store.claim(before, 60_000)).toBe(true);
    expect(await redis.exists(`test:${before}`)).toBe(1);

    await privateRedis.kill();
    const during = nonce();
    expect(await store.claim(during, 60_000)).toBe(true);
    expect(await store.claim(during, 60_000)).toBe(false);

    await privateRedis.start();
    // Back in Redis once the client has reconnected.
    const after = nonce();
    await eventually(async () => {
      await store.claim(after, 60_000);
      return (await redis.exists(`test:${after}`)) === 1 ? true : undefined;
    });
    expect(await store.claim(after, 60_000)).toBe(false);
    // Redis restarted empty and never saw it: the process remembers it accepted this one.
    expect(await store.claim(during, 60_000)).toBe(false);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['warn', 'nonce store unavailable: remembering request nonces in this process'],
      ['info', 'nonce store available again: request nonces are shared again'],
    ]);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { eventually } from '@supergraph/testing';
import { createRedisNonceStore } from '../src/redis-nonce-store.ts';
import { connectRedis } from '../src/redis.ts';

// Against the shared Redis, each test under a key prefix of its own, removed afterwards.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
let other: Redis;
const prefixes: string[] = [];

function uniquePrefix(): string {
  const prefix = `test:internal-nonce:${randomUUID()}:`;
  prefixes.push(prefix);
  return prefix;
}

beforeAll(async () => {
  [redis, other] = await Promise.all([connectRedis(REDIS_URL), connectRedis(REDIS_URL)]);
});

afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  await Promise.all([redis?.quit(), other?.quit()]);
});

describe('the Redis nonce store', () => {
  it('accepts a nonce once and refuses it again', async () => {
    const store = createRedisNonceStore(redis, { keyPrefix: uniquePrefix() });
    expect(await store.claim('nonce-aaaaaaaaaaaaaaaa', 60_000)).toBe(true);
    expect(await store.claim('nonce-aaaaaaaaaaaaaaaa', 60_000)).toBe(false);
    expect(await store.claim('nonce-bbbbbbbbbbbbbbbb', 60_000)).toBe(true);
  });

  it('refuses a nonce another process already claimed in the same Redis', async () => {
    const keyPrefix = uniquePrefix();
    const here = createRedisNonceStore(redis, { keyPrefix });
    const there = createRedisNonceStore(other, { keyPrefix });
    expect(await here.claim('nonce-aaaaaaaaaaaaaaaa', 60_000)).toBe(true);
    expect(await there.claim('nonce-aaaaaaaaaaaaaaaa', 60_000)).toBe(false);
  });

  it('keeps each nonce under its prefix, with the time it must be remembered as its expiry', async () => {
    const keyPrefix = uniquePrefix();
    await createRedisNonceStore(redis, { keyPrefix }).claim('nonce-aaaaaaaaaaaaaaaa', 60_000);
    const ttl = await redis.pttl(`${keyPrefix}nonce-aaaaaaaaaaaaaaaa`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(
      await createRedisNonceStore(redis, { keyPrefix: uniquePrefix() }).claim(
        'nonce-aaaaaaaaaaaaaaaa',
        60_000,
      ),
    ).toBe(true);
  });

  it('accepts a nonce again once Redis has let it expire', async () => {
    const store = createRedisNonceStore(redis, { keyPrefix: uniquePrefix() });
    expect(await store.claim('nonce-aaaaaaaaaaaaaaaa', 50)).toBe(true);
    await eventually(async () => ((await store.claim('nonce-aaaaaaaaaaaaaaaa', 50)) ? true : undefined));
  });

  it('rejects when Redis cannot answer, for the caller to fall back', async () => {
    const closed = await connectRedis(REDIS_URL);
    closed.disconnect();
    const store = createRedisNonceStore(closed, { keyPrefix: uniquePrefix() });
    await expect(store.claim('nonce-aaaaaaaaaaaaaaaa', 60_000)).rejects.toThrow();
  });
});

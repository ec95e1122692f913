import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import type { Logger } from '@supergraph/logging';
import { withTimeout } from '@supergraph/resilience';

/**
 * A lookup that takes longer than this means Redis is in trouble; the client is better served by a miss
 * (it sends the full query and the request goes on) than by waiting.
 */
const REDIS_TIMEOUT_MS = 250;

/** Bounds a Redis command; a timeout is handled like Redis being down. */
const bounded = <T>(work: Promise<T>): Promise<T> =>
  withTimeout(work, REDIS_TIMEOUT_MS, `Redis did not answer within ${REDIS_TIMEOUT_MS} ms`);

/**
 * Apollo Server's store for automatic persisted queries, in Redis, so every router replica knows a
 * query once one of them has seen it (a client's next request may land on another replica). Apollo
 * prefixes the keys with `apq:` itself. Redis being down or slow costs only the shortcut: a lookup
 * answers "not found" and the client resends the full query, which runs as usual.
 */
export function redisPersistedQueryStore(options: {
  redis: Redis;
  keyPrefix: string;
  logger: Logger;
}): KeyValueCache<string> {
  const { redis, keyPrefix, logger } = options;
  return {
    async get(key) {
      try {
        return (await bounded(redis.get(keyPrefix + key))) ?? undefined;
      } catch (error) {
        logger.warn({ err: error }, 'persisted query lookup failed; the client will send the full query');
        return undefined;
      }
    },
    async set(key, value, setOptions) {
      const ttl = setOptions?.ttl;
      // Apollo catches and logs a failed write; the query still runs.
      if (ttl) await bounded(redis.set(keyPrefix + key, value, 'EX', ttl));
      else await bounded(redis.set(keyPrefix + key, value));
    },
    async delete(key) {
      await bounded(redis.del(keyPrefix + key));
    },
  };
}

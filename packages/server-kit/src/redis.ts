import { Redis } from 'ioredis';
import { StartupError } from '@supergraph/config';

/**
 * A Redis connection that is known to work before the process goes on. Commands fail fast while Redis
 * is away (no offline queue), so /ready reports it instead of requests hanging.
 */
export async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
  });
  // Reconnection errors are reported by /ready; without a listener ioredis would print each one.
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const target = new URL(url);
    throw new StartupError(
      `Redis is unreachable at ${target.hostname}:${target.port || '6379'}`,
      'start Redis (redis-server --daemonize yes --port 6379) or fix REDIS_URL',
      { cause: error },
    );
  }
  return redis;
}

/** The /ready check for Redis. */
export function redisCheck(redis: Redis): () => Promise<void> {
  return async () => {
    await redis.ping();
  };
}

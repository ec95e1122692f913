import type { Redis } from 'ioredis';
import type { NonceStore } from './nonce-store.ts';

export const DEFAULT_NONCE_KEY_PREFIX = 'supergraph:internal-nonce:';

/**
 * Nonces in Redis, shared by every replica (and every subgraph) on it, so a request replayed to another
 * replica is refused too. One command per request: SET NX sets the key only when it is absent and says
 * which, and PX lets Redis drop the key once no subgraph would accept the signature anyway.
 */
export function createRedisNonceStore(redis: Redis, options: { keyPrefix?: string } = {}): NonceStore {
  const prefix = options.keyPrefix ?? DEFAULT_NONCE_KEY_PREFIX;
  return {
    claim: async (nonce, ttlMs) => (await redis.set(`${prefix}${nonce}`, '1', 'PX', ttlMs, 'NX')) === 'OK',
  };
}

import type { Logger } from '@supergraph/logging';
import { withTimeout } from '@supergraph/resilience';
import type { InMemoryNonceStore } from './in-memory-nonce-store.ts';
import type { NonceStore } from './nonce-store.ts';

// Redis answers in a millisecond; this only cuts off a connection that went silent, on which ioredis
// would otherwise wait for minutes while requests pile up.
const DEFAULT_TIMEOUT_MS = 1_000;

/**
 * The shared store first, this process's memory when it cannot answer: a subgraph keeps serving while
 * Redis is away, as it does without Redis otherwise, still refusing replays to itself (replays to another
 * replica go unseen until Redis is back). Once Redis answers again a nonce is checked in memory too, so
 * a request this process accepted during the outage is not accepted again here.
 */
export function createFallbackNonceStore(options: {
  primary: NonceStore;
  fallback: InMemoryNonceStore;
  logger: Logger;
  timeoutMs?: number;
}): NonceStore {
  const { primary, fallback, logger } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let degraded = false;
  return {
    claim: async (nonce, ttlMs) => {
      let claimed: boolean;
      try {
        claimed = await withTimeout(
          primary.claim(nonce, ttlMs),
          timeoutMs,
          `no answer within ${timeoutMs} ms`,
        );
      } catch (error) {
        // Once per outage, not once per request.
        if (!degraded) {
          logger.warn({ err: error }, 'nonce store unavailable: remembering request nonces in this process');
        }
        degraded = true;
        return fallback.claim(nonce, ttlMs);
      }
      if (degraded) logger.info('nonce store available again: request nonces are shared again');
      degraded = false;
      return claimed && !fallback.has(nonce);
    },
  };
}

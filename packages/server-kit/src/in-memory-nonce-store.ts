import type { NonceStore } from './nonce-store.ts';

export interface InMemoryNonceStore extends NonceStore {
  /** Whether `nonce` is recorded and not expired, without recording it. */
  has: (nonce: string) => boolean;
}

// About 11 MB of nonces (110 bytes each); over the signature's two-minute window, 800 requests a second.
const DEFAULT_MAX_ENTRIES = 100_000;

/**
 * Nonces in this process's memory: a replay to another process goes unseen, so this is what a subgraph
 * uses on its own or while its shared store is away. Each nonce is kept for the same time, so the map's
 * insertion order is its expiry order and expired nonces are dropped from its front as new ones come.
 * It is bounded: when full, the oldest nonce is forgotten before its time, which reopens a replay of
 * that one request, rather than refusing the router's traffic or growing without end.
 */
export function createInMemoryNonceStore(
  options: { maxEntries?: number; now?: () => number } = {},
): InMemoryNonceStore {
  const maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
  const now = options.now ?? Date.now;
  const expiries = new Map<string, number>();

  function dropExpired(at: number): void {
    for (const [nonce, expiresAt] of expiries) {
      if (expiresAt > at) return;
      expiries.delete(nonce);
    }
  }

  function has(nonce: string): boolean {
    const expiresAt = expiries.get(nonce);
    return expiresAt !== undefined && expiresAt > now();
  }

  return {
    has,
    claim: async (nonce, ttlMs) => {
      const at = now();
      dropExpired(at);
      const expiresAt = expiries.get(nonce);
      if (expiresAt !== undefined && expiresAt > at) return false;
      // Deleted first so that a nonce claimed again after expiring moves to the back, in expiry order.
      expiries.delete(nonce);
      if (expiries.size >= maxEntries) {
        const oldest = expiries.keys().next();
        if (!oldest.done) expiries.delete(oldest.value);
      }
      expiries.set(nonce, at + ttlMs);
      return true;
    },
  };
}

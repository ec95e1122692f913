import { describe, expect, it } from '@jest/globals';
import { createInMemoryNonceStore } from '../src/in-memory-nonce-store.ts';

// A clock the test moves, so expiry is checked without waiting for it.
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('the in-memory nonce store', () => {
  it('accepts a nonce once and refuses it again', async () => {
    const store = createInMemoryNonceStore();
    expect(await store.claim('nonce-aaaaaaaaaaaaaaaa', 60_000)).toBe(true);
    expect(await store.claim('nonce-aaaaaaaaaaaaaaaa', 60_000)).toBe(false);
    expect(await store.claim('nonce-bbbbbbbbbbbbbbbb', 60_000)).toBe(true);
  });

  it('forgets a nonce once its time is up, and not before', async () => {
    const time = clock();
    const store = createInMemoryNonceStore({ now: time.now });
    await store.claim('nonce-aaaaaaaaaaaaaaaa', 1_000);
    time.advance(999);
    expect(store.has('nonce-aaaaaaaaaaaaaaaa')).toBe(true);
    expect(await store.claim('nonce-aaaaaaaaaaaaaaaa', 1_000)).toBe(false);
    time.advance(1);
    expect(store.has('nonce-aaaaaaaaaaaaaaaa')).toBe(false);
    expect(await store.claim('nonce-aaaaaaaaaaaaaaaa', 1_000)).toBe(true);
  });

  it('holds at most maxEntries nonces, forgetting the oldest first', async () => {
    const store = createInMemoryNonceStore({ maxEntries: 3 });
    for (const nonce of ['n1', 'n2', 'n3', 'n4']) expect(await store.claim(nonce, 60_000)).toBe(true);
    expect(['n1', 'n2', 'n3', 'n4'].map((nonce) => store.has(nonce))).toEqual([false, true, true, true]);
    expect(await store.claim('n4', 60_000)).toBe(false);
  });

  it('makes room from expired nonces before forgetting live ones', async () => {
    const time = clock();
    const store = createInMemoryNonceStore({ maxEntries: 3, now: time.now });
    await store.claim('old-1', 1_000);
    await store.claim('old-2', 1_000);
    time.advance(500);
    await store.claim('live', 1_000);
    time.advance(500);
    await store.claim('new-1', 1_000);
    await store.claim('new-2', 1_000);
    expect(['live', 'new-1', 'new-2'].map((nonce) => store.has(nonce))).toEqual([true, true, true]);
  });
});

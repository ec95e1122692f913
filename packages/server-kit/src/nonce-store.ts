/**
 * Where a subgraph remembers the nonce of each signed request it accepted, so that the same signed
 * request, captured and sent again within its validity window, is refused. Only requests whose
 * signature holds reach it: a forged request costs no trip to the store.
 */
export interface NonceStore {
  /**
   * Records `nonce` for `ttlMs`. True when it was not recorded yet (the request goes on), false when it
   * was (a replay). Rejects when the store cannot answer.
   */
  claim: (nonce: string, ttlMs: number) => Promise<boolean>;
}

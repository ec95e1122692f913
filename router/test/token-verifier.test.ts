import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '@supergraph/logging';
import { createTokenVerifier, INVALID_TOKEN_MESSAGE, type TokenVerifier } from '../src/token-verifier.ts';
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER, type JwksServer } from './support/jwks-server.ts';

// The verifier remembers tokens that verified, under the key set's default cache age of ten minutes:
// what it remembers must still expire with the token.

let jwks: JwksServer;
let verifier: TokenVerifier;

beforeAll(async () => {
  jwks = await startJwksServer();
  verifier = createTokenVerifier({
    jwksUrl: jwks.url,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    logger: createLogger({ name: 'token-verifier-test', level: 'silent' }),
    cacheEntries: 100,
  });
});

afterAll(async () => {
  await jwks?.stop();
});

describe('a remembered token', () => {
  it('names the same caller every time it is presented', async () => {
    const token = await jwks.sign('user-1', 'ADMIN');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(verifier.identify(`Bearer ${token}`)).resolves.toEqual({
        userId: 'user-1',
        role: 'ADMIN',
      });
    }
  });

  it('is refused once it expires, though the key set is still fresh', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const token = await jwks.sign('user-2', 'CUSTOMER', { expiresAt });
    await expect(verifier.identify(`Bearer ${token}`)).resolves.toEqual({
      userId: 'user-2',
      role: 'CUSTOMER',
    });
    await expect(verifier.identify(`Bearer ${token}`)).resolves.toEqual({
      userId: 'user-2',
      role: 'CUSTOMER',
    });
    await new Promise((resolve) => setTimeout(resolve, expiresAt * 1000 - Date.now() + 50));
    await expect(verifier.identify(`Bearer ${token}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: INVALID_TOKEN_MESSAGE,
    });
  });

  it('does not vouch for a token that differs from it in its signature', async () => {
    const token = await jwks.sign('user-3', 'CUSTOMER');
    await verifier.identify(`Bearer ${token}`);
    const forged = await jwks.sign('user-3', 'CUSTOMER', { foreignKey: true });
    await expect(verifier.identify(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

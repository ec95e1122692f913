// What every peer gateway needs to talk to our subgraphs: the caller's identity from their JWT (ES256,
// keys from the users subgraph's JWKS, as the router checks them) and the signature each subgraph
// requires over the identity, a timestamp, a nonce and the exact body sent.
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { IDENTITY_HEADERS, signInternalRequest, type Identity, type Role } from '@supergraph/identity';

const ISSUER = 'supergraph-users';
const AUDIENCE = 'supergraph';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`peer gateway: set ${name} (the bench sets it when it starts this process)\n`);
    process.exit(1);
  }
  return value;
}

const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The caller named by a `Bearer` token, or null without one; a token that does not verify throws. */
export async function identifyCaller(
  jwksUrl: string,
  authorization: string | undefined,
): Promise<Identity | null> {
  const token = /^Bearer +(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return null;
  let keys = keySets.get(jwksUrl);
  if (!keys) keySets.set(jwksUrl, (keys = createRemoteJWKSet(new URL(jwksUrl))));
  const { payload } = await jwtVerify(token, keys, {
    algorithms: ['ES256'],
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  return identityFromClaims(payload);
}

/** The identity in a verified token's claims (Hive Gateway's JWT plugin hands over the claims). */
export function identityFromClaims(claims: { sub?: unknown; role?: unknown } | undefined): Identity | null {
  if (!claims || typeof claims.sub !== 'string') return null;
  const role = claims.role === 'ADMIN' ? 'ADMIN' : 'CUSTOMER';
  return { userId: claims.sub, role: role satisfies Role };
}

/** The identity headers for a subgraph request, or none for an anonymous caller. */
export function identityHeaders(identity: Identity | null): Record<string, string> {
  return identity
    ? { [IDENTITY_HEADERS.userId]: identity.userId, [IDENTITY_HEADERS.role]: identity.role }
    : {};
}

/**
 * A request init with the signature headers added, over the identity headers it already carries. Call
 * it for every request sent: a subgraph accepts each signature's nonce once and refuses it again.
 */
export function signedInit<T extends { headers?: Record<string, string>; body?: unknown }>(
  secret: string,
  url: string,
  init: T,
): T {
  const headers = { ...init.headers };
  const userId = headers[IDENTITY_HEADERS.userId];
  const role = headers[IDENTITY_HEADERS.role];
  const identity = userId && role ? { userId, role: role as Role } : null;
  const body = typeof init.body === 'string' ? init.body : '';
  Object.assign(headers, signInternalRequest(secret, { identity, search: new URL(url).search, body }));
  return { ...init, headers };
}

import {
  createRemoteJWKSet,
  errors,
  jwksCache,
  jwtVerify,
  type ExportedJWKSCache,
  type JWKSCacheInput,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { DomainError } from '@supergraph/errors';
import type { Identity, Role } from '@supergraph/identity';
import type { Logger } from '@supergraph/logging';

const ALGORITHMS = ['ES256'];
const ROLES: readonly string[] = ['CUSTOMER', 'ADMIN'] satisfies Role[];
export const INVALID_TOKEN_MESSAGE = 'The access token is invalid or expired; sign in again.';
const KEYS_UNAVAILABLE_MESSAGE = 'Access tokens cannot be checked right now; try again shortly.';

/**
 * Errors that say something about the token itself. Anything else (the JWKS endpoint down, slow or
 * answering garbage) is our problem, not the caller's, and must not read as "sign in again".
 */
const TOKEN_ERRORS = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
];

/** jose's default cache age of the key set. */
const DEFAULT_KEY_SET_MAX_AGE_MS = 600_000;

interface VerifiedToken {
  identity: Identity;
  /** The token's `exp`, in seconds since the epoch. */
  exp: number;
  /** When jose fetched the key set the token verified under (its `uat`). */
  keySetAt: number;
}

export interface TokenVerifier {
  /**
   * The caller named by an `Authorization` header: null without one; a DomainError UNAUTHENTICATED for
   * a token that does not verify, SERVICE_UNAVAILABLE when the signing keys cannot be fetched.
   */
  identify: (authorization: string | undefined) => Promise<Identity | null>;
}

export function createTokenVerifier(options: {
  jwksUrl: string;
  issuer: string;
  audience: string;
  logger: Logger;
  /** How long the key set is cached. */
  cacheMaxAgeMs?: number;
  /** The least time between two fetches of the key set, whatever tokens arrive. */
  cooldownMs?: number;
  /** Tokens whose verification is remembered (TOKEN_CACHE_ENTRIES); 0 verifies every request. */
  cacheEntries?: number;
}): TokenVerifier {
  const cacheMaxAgeMs = options.cacheMaxAgeMs ?? DEFAULT_KEY_SET_MAX_AGE_MS;
  // jose caches the key set and refetches it when it is older than the cache age, or when a token names
  // a key id it has not seen (a new key after rotation), at most once per cooldown. It records in
  // `keySet.uat` when it fetched the set it holds.
  const keySet: Partial<ExportedJWKSCache> = {};
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: cacheMaxAgeMs,
    ...(options.cooldownMs !== undefined ? { cooldownDuration: options.cooldownMs } : {}),
    [jwksCache]: keySet as JWKSCacheInput,
  });
  const invalid = () => new DomainError('UNAUTHENTICATED', INVALID_TOKEN_MESSAGE);

  // A client sends the same token with every request until it expires, and an ES256 verification costs
  // more CPU than the rest of a small query's trip through the router. A token that verified is
  // remembered with the key set it verified under, and counts as verified again only while jose would
  // verify it against that same set without refetching (the set is the one held, and is younger than
  // its cache age) and the token has not expired: a retired key stops working exactly as it would
  // without this cache, once the set has aged. Only successes are kept.
  const verified =
    (options.cacheEntries ?? 0) > 0
      ? new LRUCache<string, VerifiedToken>({ max: options.cacheEntries ?? 0 })
      : undefined;

  function remembered(token: string): Identity | undefined {
    const entry = verified?.get(token);
    if (!entry) return undefined;
    const now = Date.now();
    const current = entry.keySetAt === keySet.uat && now < entry.keySetAt + cacheMaxAgeMs;
    // jose's own rule: expired once `exp` is not after the current second.
    if (current && entry.exp > Math.floor(now / 1000)) return entry.identity;
    verified?.delete(token);
    return undefined;
  }

  return {
    async identify(authorization) {
      // An empty header is no header: some clients (and tools' header editors) send one.
      if (authorization === undefined || authorization.trim() === '') return null;
      const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
      const token = match?.[1];
      if (!token) throw invalid();
      const known = remembered(token);
      if (known) return known;
      let payload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          algorithms: ALGORITHMS,
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (error) {
        if (TOKEN_ERRORS.some((type) => error instanceof type)) throw invalid();
        options.logger.error({ err: error, jwksUrl: options.jwksUrl }, 'cannot fetch the token signing keys');
        throw new DomainError('SERVICE_UNAVAILABLE', KEYS_UNAVAILABLE_MESSAGE);
      }
      const { sub, role } = payload;
      const valid = typeof sub === 'string' && sub !== '' && typeof role === 'string' && ROLES.includes(role);
      if (!valid) throw invalid();
      const identity: Identity = { userId: sub, role: role as Role };
      // jwtVerify required exp; a token with a not-before verified after it, so it stays valid until exp.
      if (verified && typeof payload.exp === 'number' && keySet.uat !== undefined)
        verified.set(token, { identity, exp: payload.exp, keySetAt: keySet.uat });
      return identity;
    },
  };
}

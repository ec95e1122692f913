import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
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
}): TokenVerifier {
  // jose caches the key set and refetches it when it is older than the cache age, or when a token names
  // a key id it has not seen (a new key after rotation), at most once per cooldown.
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    ...(options.cacheMaxAgeMs !== undefined ? { cacheMaxAge: options.cacheMaxAgeMs } : {}),
    ...(options.cooldownMs !== undefined ? { cooldownDuration: options.cooldownMs } : {}),
  });
  const invalid = () => new DomainError('UNAUTHENTICATED', INVALID_TOKEN_MESSAGE);

  return {
    async identify(authorization) {
      // An empty header is no header: some clients (and tools' header editors) send one.
      if (authorization === undefined || authorization.trim() === '') return null;
      const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
      if (!match?.[1]) throw invalid();
      let payload;
      try {
        ({ payload } = await jwtVerify(match[1], jwks, {
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
      return { userId: sub, role: role as Role };
    },
  };
}

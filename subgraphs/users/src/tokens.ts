import { createPrivateKey, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JWK } from 'jose';

const ALGORITHM = 'ES256';

export interface TokenIssuer {
  issue: (user: { id: string; role: string }) => Promise<string>;
  /** The public half of the signing key, as the router fetches it. */
  jwks: { keys: JWK[] };
}

/** Signs access tokens with the key pair from config; the router verifies them through the JWKS. */
export async function createTokenIssuer(options: {
  privateKeyPem: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}): Promise<TokenIssuer> {
  const privateKey = createPrivateKey(options.privateKeyPem);
  const publicJwk = await exportJWK(createPublicKey(privateKey));
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    jwks: { keys: [{ ...publicJwk, kid, alg: ALGORITHM, use: 'sig' }] },
    issue: (user) =>
      new SignJWT({ role: user.role })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(privateKey),
  };
}

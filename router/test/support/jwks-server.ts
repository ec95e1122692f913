import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const TEST_ISSUER = 'supergraph-users';
export const TEST_AUDIENCE = 'supergraph';
const KID = 'test-key-1';

export interface TokenOptions {
  claims?: JWTPayload;
  issuer?: string;
  audience?: string;
  /** Seconds since the epoch; in the past for an expired token. */
  expiresAt?: number;
  /** Sign with a key the JWKS does not publish, under the published key id. */
  foreignKey?: boolean;
}

export interface JwksServer {
  url: string;
  /** An ES256 token as the users subgraph issues it, varied by `options`. */
  sign: (subject: string, role: string, options?: TokenOptions) => Promise<string>;
  stop: () => Promise<void>;
}

/** Serves a JWKS document the way the users subgraph does, and mints tokens with its key. */
export async function startJwksServer(): Promise<JwksServer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const foreign = await generateKeyPair('ES256');
  const jwks = JSON.stringify({
    keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' }],
  });
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    sign: (subject, role, options = {}) =>
      new SignJWT({ role, ...options.claims })
        .setProtectedHeader({ alg: 'ES256', kid: KID, typ: 'JWT' })
        .setSubject(subject)
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setAudience(options.audience ?? TEST_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? '5m')
        .sign(options.foreignKey ? foreign.privateKey : privateKey),
    stop: () =>
      new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** A port nothing listens on: a service that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

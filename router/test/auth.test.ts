import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { SubgraphServer } from '@supergraph/server-kit';
import { eventually } from '@supergraph/testing';
import { startRouter, type Router } from '../src/app.ts';
import { TEST_AUDIENCE, TEST_ISSUER } from './support/jwks-server.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { startWhoamiSubgraph, WHOAMI_TYPE_DEFS } from './support/whoami-subgraph.ts';

// Tokens an attacker might try, and signing keys that change while the router runs. A JWKS server of
// this test's own publishes whichever keys the test says, so keys can be rotated and retired.

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  publicPem: string;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    kid,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

let published: SigningKey[] = [];
let jwksFetches = 0;
let jwksServer: Server;
let whoami: SubgraphServer;
let supergraph: SupergraphFile;
let router: Router;
let graphql: string;
let first: SigningKey;

function sign(key: SigningKey, options: { notBefore?: number } = {}) {
  const token = new SignJWT({ role: 'CUSTOMER' })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
    .setSubject('user-1')
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m');
  if (options.notBefore !== undefined) token.setNotBefore(options.notBefore);
  return token.sign(key.privateKey);
}

const base64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const claims = () => ({
  sub: 'user-1',
  role: 'ADMIN',
  iss: TEST_ISSUER,
  aud: TEST_AUDIENCE,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 300,
});

beforeAll(async () => {
  first = await newKey('key-1');
  published = [first];
  jwksServer = createServer((_req, res) => {
    jwksFetches += 1;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  whoami = await startWhoamiSubgraph();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'whoami', url: whoami.url, typeDefs: WHOAMI_TYPE_DEFS }]),
  );
  router = await startRouter(
    routerTestEnv({
      SUPERGRAPH_PATH: supergraph.path,
      JWKS_URL: `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`,
      JWKS_CACHE_MAX_AGE_MS: '300',
      JWKS_COOLDOWN_MS: '0',
    }),
  );
  graphql = `${router.url}graphql`;
});

afterAll(async () => {
  await router?.stop();
  await whoami?.stop();
  await new Promise((resolve) => jwksServer?.close(resolve));
  supergraph?.remove();
});

const WHOAMI = '{ whoami { userId role } }';
const as = (token: string) => post(graphql, WHOAMI, { authorization: `Bearer ${token}` });

function expectRefused(result: Awaited<ReturnType<typeof post>>) {
  expect(result.status).toBe(401);
  expect(result.data).toBeUndefined();
  expect(result.errors).toEqual([
    {
      message: 'The access token is invalid or expired; sign in again.',
      extensions: { code: 'UNAUTHENTICATED' },
    },
  ]);
}

describe('tokens the router refuses', () => {
  it('accepts a well-formed token, for reference', async () => {
    const result = await as(await sign(first));
    expect(result.data).toEqual({ whoami: { userId: 'user-1', role: 'CUSTOMER' } });
  });

  it('refuses an unsigned token (alg: none)', async () => {
    expectRefused(await as(`${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims())}.`));
  });

  it('refuses an HS256 token signed with the public key as the HMAC secret', async () => {
    const header = base64url({ alg: 'HS256', typ: 'JWT', kid: first.kid });
    const body = base64url(claims());
    for (const secret of [first.publicPem, JSON.stringify(first.publicJwk)]) {
      const signature = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
      expectRefused(await as(`${header}.${body}.${signature}`));
    }
  });

  it('refuses a token whose signature does not match its content', async () => {
    const [header, , signature] = (await sign(first)).split('.');
    expectRefused(await as(`${header}.${base64url(claims())}.${signature}`));
  });

  it('refuses a token that is not valid yet', async () => {
    expectRefused(await as(await sign(first, { notBefore: Math.floor(Date.now() / 1000) + 600 })));
  });

  it('refuses a token naming a key id the keys do not hold', async () => {
    const stranger = await newKey('key-unknown');
    expectRefused(await as(await sign(stranger)));
  });
});

describe('signing keys rotating while the router runs', () => {
  it('accepts a new key as soon as it is published, without a restart', async () => {
    const second = await newKey('key-2');
    expectRefused(await as(await sign(second)));
    published = [first, second];
    const result = await as(await sign(second));
    expect(result.data).toEqual({ whoami: { userId: 'user-1', role: 'CUSTOMER' } });
  });

  it('stops accepting a retired key once the cached key set has aged', async () => {
    published = published.filter((key) => key.kid !== first.kid);
    const fetchesBefore = jwksFetches;
    const result = await eventually(async () => {
      const answer = await as(await sign(first));
      return answer.status === 401 ? answer : undefined;
    });
    expectRefused(result);
    expect(jwksFetches).toBeGreaterThan(fetchesBefore);
  });
});

describe('tokens the router has verified before', () => {
  it('refuses a token it accepted once its key is retired and the key set has aged', async () => {
    const third = await newKey('key-3');
    published = [...published, third];
    const token = await sign(third);
    const accepted = await eventually(async () => {
      const answer = await as(token);
      return answer.status === 200 ? answer : undefined;
    });
    expect(accepted.data).toEqual({ whoami: { userId: 'user-1', role: 'CUSTOMER' } });
    // Accepted again, now from what the router remembers.
    expect((await as(token)).data).toEqual({ whoami: { userId: 'user-1', role: 'CUSTOMER' } });

    published = published.filter((key) => key.kid !== third.kid);
    const refused = await eventually(async () => {
      const answer = await as(token);
      return answer.status === 401 ? answer : undefined;
    });
    expectRefused(refused);
  });
});

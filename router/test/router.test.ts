import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { signInternalRequest } from '@supergraph/identity';
import { createLogger } from '@supergraph/logging';
import { TEST_INTERNAL_SECRET } from '@supergraph/testing';
import type { Router } from '../src/app.ts';
import { TEST_AUDIENCE, TEST_ISSUER, type JwksServer } from './support/jwks-server.ts';
import { post } from './support/router-env.ts';
import { WHOAMI_TYPE_DEFS } from './support/whoami-subgraph.ts';
import { startWhoamiStack, type WhoamiStack } from './support/whoami-stack.ts';

const WHOAMI = '{ whoami { userId role } }';

let stack: WhoamiStack;
let jwks: JwksServer;
let router: Router;
let graphql: string;

beforeAll(async () => {
  stack = await startWhoamiStack(WHOAMI_TYPE_DEFS);
  ({ jwks, router, graphql } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('router identity', () => {
  it('serves an anonymous caller as anonymous', async () => {
    const result = await post(graphql, WHOAMI);
    expect(result).toEqual({ status: 200, data: { whoami: null } });
  });

  it('forwards the caller a valid token names, signed, to the subgraph', async () => {
    const token = await jwks.sign('user-42', 'ADMIN');
    const result = await post(graphql, WHOAMI, bearer(token));
    expect(result).toEqual({ status: 200, data: { whoami: { userId: 'user-42', role: 'ADMIN' } } });
  });

  it('ignores identity and signature headers a client sends itself', async () => {
    const body = JSON.stringify({ query: WHOAMI });
    const forged = signInternalRequest(TEST_INTERNAL_SECRET, {
      identity: { userId: 'evil', role: 'ADMIN' },
      body,
    });
    const result = await post(graphql, WHOAMI, {
      ...forged,
      'x-supergraph-user-id': 'evil',
      'x-supergraph-user-role': 'ADMIN',
    });
    expect(result).toEqual({ status: 200, data: { whoami: null } });
  });

  it('forwards the request id to the subgraph', async () => {
    const result = await post(graphql, '{ requestId }', { 'x-request-id': 'req-abc-123' });
    expect(result.data).toEqual({ requestId: 'req-abc-123' });
  });

  const refused: Array<[string, () => Promise<string>]> = [
    [
      'an expired token',
      () => jwks.sign('user-1', 'CUSTOMER', { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
    ],
    ['a token for another audience', () => jwks.sign('user-1', 'CUSTOMER', { audience: 'someone-else' })],
    ['a token from another issuer', () => jwks.sign('user-1', 'CUSTOMER', { issuer: `${TEST_ISSUER}-fake` })],
    ['a token signed by another key', () => jwks.sign('user-1', 'CUSTOMER', { foreignKey: true })],
    ['a token with an unknown role', () => jwks.sign('user-1', 'ROOT')],
    ['an HS256 token', () => hs256Token()],
    ['a malformed token', async () => 'not-a-jwt'],
  ];

  it.each(refused)('refuses %s with UNAUTHENTICATED and 401', async (_, token) => {
    const result = await post(graphql, WHOAMI, bearer(await token()));
    expect(result.status).toBe(401);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      { message: expect.stringMatching(/invalid or expired/), extensions: { code: 'UNAUTHENTICATED' } },
    ]);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const result = await post(graphql, WHOAMI, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('router errors', () => {
  it("passes a subgraph's public error through with its details", async () => {
    const result = await post(graphql, '{ badInput }');
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'name must not be empty',
        extensions: { code: 'BAD_USER_INPUT', field: 'name' },
      }),
    ]);
  });

  it('masks an internal error and says nothing about it', async () => {
    const result = await post(graphql, '{ boom }');
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
    expect(JSON.stringify(result)).not.toMatch(/secret_table|stacktrace|whoami/);
  });
});

describe('router operations', () => {
  it('is alive and ready', async () => {
    expect((await fetch(`${router.url}health`)).status).toBe(200);
    const ready = await fetch(`${router.url}ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { supergraph: 'ok', redis: 'ok' } });
  });

  it('exposes Prometheus metrics', async () => {
    const response = await fetch(`${router.url}metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/http_request_duration_seconds_count\{[^}]*service="router"/);
  });

  it('shows Apollo Sandbox to a browser at /', async () => {
    const response = await fetch(router.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toMatch(/embeddable-sandbox/);
  });
});

describe("a router whose INTERNAL_SECRET differs from the subgraphs'", () => {
  it('answers an internal error and logs which setting disagrees', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      name: 'router',
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    const mismatched = await startWhoamiStack(
      WHOAMI_TYPE_DEFS,
      { logger },
      { INTERNAL_SECRET: 'x'.repeat(40) },
    );
    try {
      const result = await post(mismatched.graphql, WHOAMI);
      expect(result.data).toEqual({ whoami: null });
      expect(result.errors).toEqual([
        { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ]);
      expect(JSON.stringify(lines)).toMatch(
        /refused the router's request \(401\); check that both share INTERNAL_SECRET/,
      );
    } finally {
      await mismatched.stop();
    }
  });
});

/** A token signed with a shared secret instead of the users subgraph's key: never acceptable. */
function hs256Token(): Promise<string> {
  return new SignJWT({ role: 'ADMIN' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(TEST_INTERNAL_SECRET));
}

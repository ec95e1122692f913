import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signInternalRequest } from '@supergraph/identity';
import {
  startTestSubgraph,
  TEST_INTERNAL_SECRET,
  type TestSubgraph,
  generateSigningKeyPem,
} from '@supergraph/testing';
import { startRouter, type Router } from '../router/src/app.ts';
import { loadEnv as loadRouterEnv } from '../router/src/env.ts';
import { startProductsSubgraph } from '../subgraphs/products/src/app.ts';
import { loadEnv as loadProductsEnv } from '../subgraphs/products/src/env.ts';
import { startUsersSubgraph } from '../subgraphs/users/src/app.ts';
import { loadEnv as loadUsersEnv } from '../subgraphs/users/src/env.ts';
import { SUPERGRAPH_FILE } from '../scripts/supergraph-config.ts';
import { routerClient, type Result, type RouterClient } from './support/router-client.ts';

// The whole path a client takes: the committed supergraph.graphql served by the real router, in front
// of the real users and products subgraphs, each on its own fresh schema with seed data.
const privateKey = generateSigningKeyPem();

interface Auth {
  token: string;
  user: { id: string; email: string; role: string };
}

interface Page {
  totalCount: number;
  edges: Array<{ cursor: string; node: { id: string; price: { amount: number; currency: string } } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string };
}

let users: TestSubgraph;
let products: TestSubgraph;
let router: Router;

let client: RouterClient;

beforeAll(async () => {
  [users, products] = await Promise.all([
    startTestSubgraph('users', (env, { onQuery }) =>
      startUsersSubgraph(loadUsersEnv({ ...env, JWT_PRIVATE_KEY: privateKey }), { onQuery }),
    ),
    startTestSubgraph('products', (env, { onQuery }) =>
      startProductsSubgraph(loadProductsEnv({ ...env, SEED_ON_START: 'true' }), { onQuery }),
    ),
  ]);
  router = await startRouter(
    loadRouterEnv({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      RATE_LIMIT_KEY_PREFIX: `test:rate-limit:${randomUUID()}`,
      SUPERGRAPH_PATH: SUPERGRAPH_FILE.pathname,
      JWKS_URL: new URL('/.well-known/jwks.json', users.url).toString(),
      SUBGRAPH_URLS: `users=${users.url},products=${products.url}`,
    }),
  );
  client = routerClient(router.url);
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await Promise.all([users?.stop(), products?.stop()]);
});

describe('a shopper through the router', () => {
  let token: string;
  let userId: string;

  it('registers', async () => {
    const result = await client<{ register: Auth }>(
      'mutation ($input: RegisterInput!) { register(input: $input) { token user { id email role } } }',
      {
        variables: { input: { email: 'shopper@example.com', name: 'Shopper', password: 'shopper-password' } },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.register.user).toMatchObject({ email: 'shopper@example.com', role: 'CUSTOMER' });
    userId = result.data!.register.user.id;
  });

  it('logs in', async () => {
    const result = await client<{ login: Auth }>(
      'mutation { login(email: "shopper@example.com", password: "shopper-password") { token user { id } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.login.user.id).toBe(userId);
    token = result.data!.login.token;
  });

  it('sees themself in me, with the token', async () => {
    const result = await client('{ me { id email name role } }', { token });
    expect(result).toMatchObject({
      status: 200,
      data: { me: { id: userId, email: 'shopper@example.com', name: 'Shopper', role: 'CUSTOMER' } },
    });
  });

  it('is nobody without the token, whatever identity headers it sends', async () => {
    const forged = signInternalRequest('not-the-secret-but-long-enough-000000000', {
      identity: { userId, role: 'ADMIN' },
      body: '{}',
    });
    const result = await client('{ me { id } }', { headers: forged });
    expect(result.data).toEqual({ me: null });
  });

  it('is refused with a bad token', async () => {
    const result = await client('{ me { id } }', { token: `${token}x` });
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('pages through the seeded catalog', async () => {
    const query = `query ($after: String) {
      products(first: 10, after: $after) {
        totalCount
        edges { cursor node { id sku name price { amount currency } weightGrams } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    const first = await client<{ products: Page }>(query, { token });
    expect(first.errors).toBeUndefined();
    const page = first.data!.products;
    expect(page.totalCount).toBeGreaterThanOrEqual(20);
    expect(page.edges).toHaveLength(10);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges[0]?.node.price).toEqual({
      amount: expect.any(Number),
      currency: expect.stringMatching(/^[A-Z]{3}$/),
    });

    const second = await client<{ products: Page }>(query, {
      token,
      variables: { after: page.pageInfo.endCursor },
    });
    const firstIds = page.edges.map((edge) => edge.node.id);
    const secondIds = second.data!.products.edges.map((edge) => edge.node.id);
    expect(secondIds).toHaveLength(10);
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });
});

describe('a request sent straight to a subgraph', () => {
  const body = JSON.stringify({ query: '{ _service { sdl } }' });

  it.each([
    ['no signature', {}],
    [
      'a signature made with the wrong secret',
      signInternalRequest('a-guessed-secret-that-is-long-enough-0000', { identity: null, body }),
    ],
    [
      'a signature over another body',
      signInternalRequest(TEST_INTERNAL_SECRET, { identity: { userId: 'x', role: 'ADMIN' }, body: '{}' }),
    ],
  ])('is refused with %s', async (_label, headers) => {
    for (const subgraph of [users, products]) {
      const response = await fetch(subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      expect(response.status).toBe(401);
      const json = (await response.json()) as Result;
      expect(json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(json)).not.toContain('sdl');
    }
  });

  it('is refused when a signed request the router sent is sent again, to the same subgraph or another', async () => {
    const headers = signInternalRequest(TEST_INTERNAL_SECRET, { identity: null, body });
    const send = (subgraph: TestSubgraph) =>
      fetch(subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    expect((await send(users)).status).toBe(200);
    // The subgraphs remember nonces in the Redis they share, as replicas of one subgraph do.
    for (const subgraph of [users, products]) {
      const response = await send(subgraph);
      expect(response.status).toBe(401);
      expect(((await response.json()) as Result).errors?.[0]).toMatchObject({
        message: 'This subgraph only serves the router: replayed internal signature.',
        extensions: { code: 'UNAUTHENTICATED' },
      });
    }
  });
});

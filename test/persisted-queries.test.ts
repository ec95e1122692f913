import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadManifest } from '../router/src/persisted-query-manifest.ts';
import { buildManifest, MANIFEST_FILE } from '../scripts/persisted-queries.ts';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { SEED_CREDENTIALS, startShop, type Result, type Shop } from './support/shop.ts';

// The storefront's operations (router/operations) are committed as a manifest that the router's safelist
// mode serves; these tests keep it in step with the schema and run it against the whole shop.

const manifest = loadManifest(MANIFEST_FILE.pathname);
const idOf = (name: string): string => {
  const found = [...manifest.values()].find((operation) => operation.name === name);
  if (!found) throw new Error(`the manifest has no operation ${name}`);
  return found.id;
};

describe('router/persisted-queries.json', () => {
  it('is committed fresh: it equals what `npm run persisted-queries` writes from router/operations', () => {
    const build = buildManifest();
    expect(build.ok ? [] : build.errors).toEqual([]);
    if (build.ok) expect(readFileSync(MANIFEST_FILE, 'utf8')).toBe(build.text);
  });
});

describe('the router in safelist mode, in front of the whole shop', () => {
  let shop: Shop;

  /** An operation sent by its manifest id only, as a client built against the manifest sends it. */
  async function run<TData>(name: string, variables: object = {}, token?: string): Promise<Result<TData>> {
    const response = await fetch(shop.router.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({
        variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: idOf(name) } },
      }),
    });
    return { status: response.status, ...((await response.json()) as Omit<Result<TData>, 'status'>) };
  }

  beforeAll(async () => {
    shop = await startShop({ routerEnv: { NODE_ENV: 'production', PERSISTED_QUERIES: 'safelist' } });
  });

  afterAll(async () => {
    await shop?.stop();
  });

  it('signs a customer in, shows the catalog and a product, and places and lists an order by id', async () => {
    const login = await run<{ login: { token: string; user: object } }>('Login', SEED_CREDENTIALS.customer);
    expect(login.data?.login.user).toMatchObject({
      email: SEED_CREDENTIALS.customer.email,
      role: 'CUSTOMER',
    });
    const token = login.data?.login.token;

    const page = await run<{ products: { edges: Array<{ node: object }> } }>('CatalogPage', { first: 3 });
    expect(page.errors).toBeUndefined();
    expect(page.data?.products.edges).toHaveLength(3);
    expect(page.data?.products.edges[0]?.node).toEqual(
      expect.objectContaining({ id: expect.any(String), inStock: expect.any(Boolean) }),
    );

    const productId = SEED_PRODUCT_IDS.stonewareMug;
    const product = await run<{ product: object }>('ProductPage', { id: productId });
    expect(product.data?.product).toMatchObject({ id: productId, stock: expect.any(Number) });

    const placed = await run<{ placeOrder: { id: string; status: string } }>(
      'PlaceOrder',
      { input: { items: [{ productId, quantity: 1 }], idempotencyKey: 'safelist-checkout' } },
      token,
    );
    expect(placed.data?.placeOrder).toMatchObject({ status: 'PENDING' });

    const orders = await run<{ me: { orders: { edges: Array<{ node: { id: string } }> } } }>(
      'MyOrders',
      { first: 10 },
      token,
    );
    const ids = orders.data?.me.orders.edges.map((edge) => edge.node.id);
    expect(ids).toContain(placed.data?.placeOrder.id);
  });

  it('refuses an operation that is not in the manifest, even one the schema allows', async () => {
    // Only manifest operations run here, so the token comes from the manifest's Login.
    const login = await run<{ login: { token: string } }>('Login', SEED_CREDENTIALS.customer);
    const token = login.data?.login.token ?? '';
    const response = await fetch(shop.router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { email orders { edges { node { id } } } } }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message:
            "This operation is not in the router's safelist: only the operations in the committed manifest run here.",
          extensions: { code: 'PERSISTED_QUERY_NOT_IN_LIST' },
        },
      ],
    });
  });
});

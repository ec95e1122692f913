import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SubgraphServer } from '@supergraph/server-kit';
import { startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { startRouter, type Router } from '../router/src/app.ts';
import { routerTestEnv } from '../router/test/support/router-env.ts';
import {
  composeSupergraph,
  createSupergraphFile,
  type SupergraphFile,
} from '../router/test/support/supergraph.ts';
import { startProductsSubgraph } from '../subgraphs/products/src/app.ts';
import { loadEnv as loadProductsEnv } from '../subgraphs/products/src/env.ts';
import { startPlainSubgraph } from '../router/test/support/plain-subgraph.ts';

// Products' second key, @key(fields: "sku"), is for systems that know a product by its SKU only: a
// warehouse feed, a marketplace import. None of the shop's subgraphs is one yet, so this test composes
// such a subgraph with the real products subgraph and checks the router joins them on the SKU.

const FEED_TYPE_DEFS = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Product @key(fields: "sku", resolvable: false) { sku: String! }
  type Query { bestsellers: [Product!]! }
`;

let products: TestSubgraph;
let feed: SubgraphServer;
let supergraph: SupergraphFile;
let router: Router;

beforeAll(async () => {
  products = await startTestSubgraph('products', (env, hooks) =>
    startProductsSubgraph(loadProductsEnv({ ...env, SEED_ON_START: 'true' }), hooks),
  );
  feed = await startPlainSubgraph('feed', FEED_TYPE_DEFS, {
    Query: { bestsellers: () => [{ sku: 'PAN-CAST-26' }, { sku: 'MUG-STONE-350' }] },
  });
  supergraph = createSupergraphFile(
    composeSupergraph([
      {
        name: 'products',
        url: products.url,
        typeDefs: readFileSync(new URL('../subgraphs/products/schema.graphql', import.meta.url), 'utf8'),
      },
      { name: 'feed', url: feed.url, typeDefs: FEED_TYPE_DEFS },
    ]),
  );
  router = await startRouter(
    routerTestEnv({ SUPERGRAPH_PATH: supergraph.path, JWKS_URL: 'http://127.0.0.1:9/jwks.json' }),
  );
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await feed?.stop();
  await products?.stop();
  supergraph?.remove();
});

describe('Product @key(fields: "sku")', () => {
  it('lets a subgraph that holds only SKUs hand the router products, which products resolves by SKU', async () => {
    products.queries.reset();
    const response = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ bestsellers { sku id name price { amount currency } } }' }),
    });
    const result = (await response.json()) as { data?: unknown; errors?: unknown };
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      bestsellers: [
        {
          sku: 'PAN-CAST-26',
          id: '00000000-0000-4000-8002-000000000012',
          name: 'Cast Iron Skillet 26 cm',
          price: { amount: 4490, currency: 'EUR' },
        },
        {
          sku: 'MUG-STONE-350',
          id: '00000000-0000-4000-8002-000000000001',
          name: 'Stoneware Mug 350 ml',
          price: { amount: 1490, currency: 'EUR' },
        },
      ],
    });
    // One batched lookup by SKU for both references.
    expect(products.queries.statements).toHaveLength(1);
    expect(products.queries.statements[0]).toMatch(/\bsku"? in \(/);
  });
});

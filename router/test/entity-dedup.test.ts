import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SubgraphServer } from '@supergraph/server-kit';
import { startRouter, type Router } from '../src/app.ts';
import { startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { startPlainSubgraph } from './support/plain-subgraph.ts';

// A list that names the same entity many times makes the router ask the owning subgraph for each
// distinct entity once, and still answers every occurrence.

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const LINES_TYPE_DEFS = `${FEDERATION}
  type Query {
    lines: [Line!]!
  }
  type Line {
    quantity: Int!
    product: Product!
  }
  type Product @key(fields: "id") {
    id: ID!
  }
`;
const STOCK_TYPE_DEFS = `${FEDERATION}
  type Product @key(fields: "id") {
    id: ID!
    stock: Int
  }
`;
const LINES = ['p1', 'p2', 'p1', 'p3', 'p2', 'p3', 'p1'];

const resolvedReferences: string[] = [];
const servers: SubgraphServer[] = [];
let jwks: JwksServer;
let supergraph: SupergraphFile;
let router: Router;

beforeAll(async () => {
  const lines = await startPlainSubgraph('lines', LINES_TYPE_DEFS, {
    Query: { lines: () => LINES.map((id, index) => ({ quantity: index + 1, product: { id } })) },
  });
  const stock = await startPlainSubgraph('stock', STOCK_TYPE_DEFS, {
    Product: {
      __resolveReference: async ({ id }: { id: string }) => {
        resolvedReferences.push(id);
        // p3 is a product the stock subgraph cannot answer for (asynchronously, as a database would).
        if (id === 'p3') throw new Error('stock of p3 is unavailable');
        return { id, stock: id === 'p1' ? 5 : 7 };
      },
    },
  });
  servers.push(lines, stock);
  jwks = await startJwksServer();
  supergraph = createSupergraphFile(
    composeSupergraph([
      { name: 'lines', url: lines.url, typeDefs: LINES_TYPE_DEFS },
      { name: 'stock', url: stock.url, typeDefs: STOCK_TYPE_DEFS },
    ]),
  );
  router = await startRouter(routerTestEnv({ SUPERGRAPH_PATH: supergraph.path, JWKS_URL: jwks.url }));
});

afterAll(async () => {
  await router?.stop();
  for (const server of servers) await server.stop();
  await jwks?.stop();
  supergraph?.remove();
});

describe('entity fetches', () => {
  it('resolve each distinct entity once and answer every occurrence, errors included', async () => {
    const result = await post(`${router.url}graphql`, '{ lines { quantity product { id stock } } }');

    expect(resolvedReferences.sort()).toEqual(['p1', 'p2', 'p3']);
    expect(result.data?.lines).toEqual(
      LINES.map((id, index) => ({
        quantity: index + 1,
        product: { id, stock: id === 'p1' ? 5 : id === 'p2' ? 7 : null },
      })),
    );
    // The failing entity is reported at each place it occurs (masked: it is an internal error).
    expect(result.errors).toEqual(
      [3, 5].map((index) => ({
        message: 'Internal server error',
        path: ['lines', index, 'product'],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      })),
    );
  });
});

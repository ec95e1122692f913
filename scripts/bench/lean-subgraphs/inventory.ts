// The inventory subgraph of the public graphql-gateways-benchmark: whether each product is in stock, and
// its shipping estimate.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';

const IN_STOCK = new Set(['1', '5', '6', '7', '9']);

export const inventoryResolvers: GraphQLResolverMap<unknown> = {
  Product: {
    __resolveReference: (reference: { upc: string }) => ({
      upc: reference.upc,
      inStock: IN_STOCK.has(reference.upc),
    }),
    // The benchmark's own subgraph resolves the entity from its key alone and drops the price and weight
    // the gateway sends (@requires), so its estimate is always null, and the answer its k6 script checks
    // says so. Ours answers the same; every gateway still fetches and sends price and weight.
    shippingEstimate: () => null,
  },
};

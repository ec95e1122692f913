// The four lean subgraphs of the gateways-bench scenario, each its schema file (schema first: the same
// file is composed into the supergraph and built into the running schema) and its resolvers.
import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { accountsResolvers } from './accounts.ts';
import { inventoryResolvers } from './inventory.ts';
import { productsResolvers } from './products.ts';
import { reviewsResolvers } from './reviews.ts';

export const LEAN_SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;

export type LeanSubgraphName = (typeof LEAN_SUBGRAPH_NAMES)[number];

const RESOLVERS: Record<LeanSubgraphName, GraphQLResolverMap<unknown>> = {
  accounts: accountsResolvers,
  inventory: inventoryResolvers,
  products: productsResolvers,
  reviews: reviewsResolvers,
};

export function leanTypeDefs(name: LeanSubgraphName): DocumentNode {
  return parse(readFileSync(new URL(`${name}.graphql`, import.meta.url), 'utf8'));
}

/** The subgraph's executable schema, `_entities` and `_service` included. */
export function leanSchema(name: LeanSubgraphName): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: leanTypeDefs(name), resolvers: RESOLVERS[name] }]);
}

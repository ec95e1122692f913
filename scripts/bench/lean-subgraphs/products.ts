// The products subgraph of the public graphql-gateways-benchmark: its nine products, answered from memory.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';

interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}

const product = (upc: string, name: string, price: number, weight: number): Product => ({
  upc,
  name,
  price,
  weight,
});

const PRODUCTS: readonly Product[] = [
  product('1', 'Table', 899, 100),
  product('2', 'Couch', 1299, 1000),
  product('3', 'Glass', 15, 20),
  product('4', 'Chair', 499, 100),
  product('5', 'TV', 1299, 1000),
  product('6', 'Lamp', 6999, 300),
  product('7', 'Grill', 3999, 2000),
  product('8', 'Fridge', 100000, 6000),
  product('9', 'Sofa', 9999, 800),
];

export const productsResolvers: GraphQLResolverMap<unknown> = {
  Query: {
    topProducts: (_: unknown, args: { first?: number | null }) => PRODUCTS.slice(0, args.first ?? 5),
  },
  Product: {
    __resolveReference: (reference: { upc: string }) =>
      PRODUCTS.find((candidate) => candidate.upc === reference.upc) ?? null,
  },
};

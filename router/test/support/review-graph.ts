import type { SubgraphServer } from '@supergraph/server-kit';
import { startPlainSubgraph } from './plain-subgraph.ts';

// Four lean, in-memory subgraphs shaped like the public graphql-gateways-benchmark's (accounts,
// inventory, products, reviews: users who write reviews of products), written for these tests. Its
// query walks both `users` and `topProducts` eight levels deep, so its plan runs two branches that
// call the same subgraphs level after level: what the router's waves and batches are for.

// Every subgraph gives cache hints (Apollo Server's @cacheControl): inventory's are private, and its
// shipping estimates last least, so an answer with one is cacheable privately for 10 s.
const FEDERATION = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7",
  import: ["@key", "@external", "@requires", "@provides", "@shareable"])
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean)
    on FIELD_DEFINITION | OBJECT | INTERFACE | UNION`;

export const ACCOUNTS_TYPE_DEFS = `${FEDERATION}
  type Query @cacheControl(maxAge: 300) {
    me: User
    user(id: ID!): User
    users: [User]
  }
  type User @key(fields: "id") @cacheControl(maxAge: 300) {
    id: ID!
    name: String
    username: String @shareable
    birthday: Int
  }
`;

export const INVENTORY_TYPE_DEFS = `${FEDERATION}
  type Product @key(fields: "upc") @cacheControl(maxAge: 200, scope: PRIVATE) {
    upc: String!
    weight: Int @external
    price: Int @external
    inStock: Boolean
    shippingEstimate: Int @requires(fields: "price weight") @cacheControl(maxAge: 10)
  }
`;

export const PRODUCTS_TYPE_DEFS = `${FEDERATION}
  type Query @cacheControl(maxAge: 300) {
    topProducts(first: Int = 5): [Product]
  }
  type Product @key(fields: "upc") @cacheControl(maxAge: 300) {
    upc: String!
    name: String
    price: Int
    weight: Int
  }
`;

export const REVIEWS_TYPE_DEFS = `${FEDERATION}
  type Review @key(fields: "id") @cacheControl(maxAge: 120) {
    id: ID!
    body: String
    product: Product
    author: User @provides(fields: "username")
  }
  type User @key(fields: "id") @cacheControl(maxAge: 120) {
    id: ID!
    username: String @external
    reviews: [Review]
  }
  type Product @key(fields: "upc") @cacheControl(maxAge: 120) {
    upc: String!
    reviews: [Review]
  }
`;

/** The benchmark's operation: both branches, eight levels each, through fragments. */
export const REVIEW_GRAPH_QUERY = `
  fragment User on User { id username name }
  fragment Review on Review { id body }
  fragment Product on Product { inStock name price shippingEstimate upc weight }
  query TestQuery {
    users {
      ...User
      reviews {
        ...Review
        product {
          ...Product
          reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
        }
      }
    }
    topProducts {
      ...Product
      reviews { ...Review author { ...User reviews { ...Review product { ...Product } } } }
    }
  }
`;

const USERS = ['ada', 'grace', 'edsger', 'barbara', 'donald', 'frances'].map((username, index) => ({
  id: String(index + 1),
  username,
  name: username[0]!.toUpperCase() + username.slice(1),
  birthday: 1_000_000_000 + index,
}));

const PRODUCTS = [
  ['Table', 899, 100],
  ['Couch', 1299, 1000],
  ['Glass', 15, 20],
  ['Chair', 499, 100],
  ['TV', 1299, 1000],
  ['Lamp', 6999, 300],
  ['Grill', 3999, 2000],
  ['Fridge', 100000, 6000],
  ['Sofa', 9999, 800],
].map(([name, price, weight], index) => ({ upc: String(index + 1), name, price, weight }));

/** Reviews of products 1 to 4 (four, four, one and two); their bodies a few hundred characters long. */
const REVIEWS = [1, 1, 1, 1, 2, 2, 2, 2, 3, 4, 4].map((upc, index) => ({
  id: String(index + 1),
  body: `Review ${index + 1}: ${'a fair product for the price, '.repeat(4 + ((index * 7) % 12))}`,
  product: { upc: String(upc) },
}));

/** What an author's reviews are in the reviews subgraph: always the first two. */
const AUTHORED = REVIEWS.slice(0, 2);

export interface ReviewGraphOptions {
  /** Runs before inventory resolves a product: a test makes it throw, or wait. */
  beforeInventory?: (upc: string) => unknown;
}

export interface ReviewGraph {
  subgraphs: Array<{ name: string; url: string; typeDefs: string; server: SubgraphServer }>;
  stop: () => Promise<void>;
}

export async function startReviewGraph(options: ReviewGraphOptions = {}): Promise<ReviewGraph> {
  const accounts = await startPlainSubgraph('accounts', ACCOUNTS_TYPE_DEFS, {
    Query: {
      me: () => USERS[0],
      user: (_: unknown, { id }: { id: string }) => USERS.find((user) => user.id === id),
      users: () => USERS,
    },
    User: { __resolveReference: ({ id }: { id: string }) => USERS.find((user) => user.id === id) },
  });
  const inventory = await startPlainSubgraph('inventory', INVENTORY_TYPE_DEFS, {
    Product: {
      __resolveReference: async (reference: { upc: string; price?: number; weight?: number }) => {
        await options.beforeInventory?.(reference.upc);
        return { ...reference, inStock: Number(reference.upc) % 2 === 1 };
      },
      shippingEstimate: ({ price, weight }: { price?: number; weight?: number }) => {
        if (price === undefined || weight === undefined) return null;
        return price > 1000 ? 0 : Math.floor(weight / 2);
      },
    },
  });
  const products = await startPlainSubgraph('products', PRODUCTS_TYPE_DEFS, {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
    Product: { __resolveReference: ({ upc }: { upc: string }) => PRODUCTS.find((p) => p.upc === upc) },
  });
  const reviews = await startPlainSubgraph('reviews', REVIEWS_TYPE_DEFS, {
    Review: {
      __resolveReference: ({ id }: { id: string }) => REVIEWS.find((review) => review.id === id),
      author: () => ({ id: USERS[0]!.id, username: USERS[0]!.username }),
    },
    User: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      reviews: () => AUTHORED,
    },
    Product: {
      __resolveReference: ({ upc }: { upc: string }) => ({ upc }),
      reviews: ({ upc }: { upc: string }) => REVIEWS.filter((review) => review.product.upc === upc),
    },
  });
  const servers = { accounts, inventory, products, reviews };
  const typeDefs = {
    accounts: ACCOUNTS_TYPE_DEFS,
    inventory: INVENTORY_TYPE_DEFS,
    products: PRODUCTS_TYPE_DEFS,
    reviews: REVIEWS_TYPE_DEFS,
  };
  return {
    subgraphs: Object.entries(servers).map(([name, server]) => ({
      name,
      url: server.url,
      typeDefs: typeDefs[name as keyof typeof typeDefs],
      server,
    })),
    stop: async () => {
      await Promise.all(Object.values(servers).map((server) => server.stop()));
    },
  };
}

/** GraphQL requests a subgraph has served, from its own /metrics (a batch is one request). */
export async function requestsServed(server: SubgraphServer): Promise<number> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  return text
    .split('\n')
    .filter((row) => /^http_request_duration_seconds_count\{.*route="\/graphql"/.test(row))
    .reduce((sum, row) => sum + Number(row.split(' ').pop()), 0);
}

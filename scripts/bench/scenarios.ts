// What the bench asks of the supergraph: the operations a shop's pages send, each a GraphQL document
// with its variables and caller, and the public graphql-gateways-benchmark's query on that benchmark's
// own subgraphs. Every target gets the same list; a load connection walks through it in order and
// starts again, so callers, pages and products vary the way a crowd of shoppers does.

export type ScenarioName = 'nested-read' | 'catalog-page' | 'product-lookup' | 'mixed' | 'gateways-bench';

export interface Operation {
  query: string;
  variables: Record<string, unknown>;
  /** A signed-in caller's access token; none for an anonymous one. */
  token?: string;
}

export interface ScenarioData {
  /** Tokens of customers with a full order history, who only read. */
  readers: string[];
  /** Tokens of the customers who place orders in the mixed load. */
  buyers: string[];
  /** Bench products spread over the catalog. */
  productIds: string[];
  /** `after` cursors of consecutive catalog pages, the first page's being null. */
  catalogCursors: Array<string | null>;
}

interface ScenarioBase {
  name: ScenarioName;
  title: string;
  /** Whether one subgraph answers it alone, so it can also be sent straight there (the ceiling). */
  singleSubgraph: boolean;
}

/** A scenario on the shop's own supergraph, its operations made from the seeded data. */
export interface ShopScenario extends ScenarioBase {
  subgraphs: 'shop';
  operations: (data: ScenarioData) => Operation[];
}

/** A scenario on the lean in-memory subgraphs of the public gateways benchmark (lean-stack.ts). */
export interface LeanScenario extends ScenarioBase {
  subgraphs: 'lean';
  operations: () => Operation[];
}

export type Scenario = ShopScenario | LeanScenario;

/** A scenario with its operations made: what every target is sent. */
export interface Workload {
  scenario: Scenario;
  operations: Operation[];
}

export const isShopScenario = (scenario: Scenario): scenario is ShopScenario => scenario.subgraphs === 'shop';

// users (me), orders (orders, items), products (name, price), inventory (stock, and shippingEstimate,
// which @requires price and weight from products) and payments (payment).
export const NESTED_READ = `query NestedRead {
  me {
    id
    name
    orders(first: 20) {
      totalCount
      edges {
        node {
          id
          status
          total { amount currency }
          items {
            quantity
            unitPrice { amount currency }
            product { id name price { amount currency } stock shippingEstimate { amount currency } }
          }
          payment { id status }
        }
      }
    }
  }
}`;

// products (the page) and inventory (stock, inStock, shippingEstimate).
export const CATALOG_PAGE = `query CatalogPage($after: String) {
  products(first: 20, after: $after) {
    totalCount
    edges {
      cursor
      node { id sku name price { amount currency } stock inStock shippingEstimate { amount currency } }
    }
    pageInfo { hasNextPage endCursor }
  }
}`;

// products only: the router's overhead with nothing to join.
export const PRODUCT_LOOKUP = `query ProductLookup($id: ID!) {
  product(id: $id) { id sku name description price { amount currency } weightGrams }
}`;

export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id status total { amount currency } }
}`;

function nestedReads(data: ScenarioData): Operation[] {
  return data.readers.map((token) => ({ query: NESTED_READ, variables: {}, token }));
}

function catalogPages(data: ScenarioData): Operation[] {
  return data.catalogCursors.map((after) => ({ query: CATALOG_PAGE, variables: { after } }));
}

function productLookups(data: ScenarioData): Operation[] {
  return data.productIds.map((id) => ({ query: PRODUCT_LOOKUP, variables: { id } }));
}

/** A placed order of two products; the product pair moves along the catalog from one order to the next. */
function placeOrder(data: ScenarioData, token: string, index: number): Operation {
  const products = data.productIds;
  const first = products[index % products.length];
  const second = products[(index + 1) % products.length];
  return {
    query: PLACE_ORDER,
    variables: {
      input: {
        items: [
          { productId: first, quantity: 1 },
          { productId: second, quantity: 1 },
        ],
      },
    },
    token,
  };
}

/** Orders placed by each buyer in turn, each of two products further along the catalog. */
export function placeOrders(data: ScenarioData): Operation[] {
  return data.productIds.map((_, index) =>
    placeOrder(data, data.buyers[index % data.buyers.length] as string, index),
  );
}

/**
 * A shop's traffic in ten requests: four catalog pages, three product pages, one look at one's orders,
 * and one order placed, per buyer in turn (so 10% of requests write).
 */
function mixedLoad(data: ScenarioData): Operation[] {
  const pages = catalogPages(data);
  const lookups = productLookups(data);
  return data.buyers.flatMap((token, index) => {
    const page = (n: number) => pages[(index * 4 + n) % pages.length] as Operation;
    const lookup = (n: number) => lookups[(index * 3 + n) % lookups.length] as Operation;
    return [
      page(0),
      lookup(0),
      page(1),
      { query: NESTED_READ, variables: {}, token },
      lookup(1),
      page(2),
      placeOrder(data, token, index),
      lookup(2),
      page(3),
      lookup(0),
    ];
  });
}

/**
 * The public graphql-gateways-benchmark's query (its k6.js), as sent there: every user with their
 * reviews, each review's product and its reviews and their authors' reviews, and the top five products
 * likewise. All four subgraphs, entity fetches several levels deep, about 86 KB of answer.
 */
export const GATEWAYS_BENCH_QUERY = `fragment User on User {
  id
  username
  name
}

fragment Review on Review {
  id
  body
}

fragment Product on Product {
  inStock
  name
  price
  shippingEstimate
  upc
  weight
}

query TestQuery {
  users {
    ...User
    reviews {
      ...Review
      product {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }
  }
  topProducts {
    ...Product
    reviews {
      ...Review
      author {
        ...User
        reviews {
          ...Review
          product {
            ...Product
          }
        }
      }
    }
  }
}`;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'nested-read',
    subgraphs: 'shop',
    title: 'Nested read: me, 20 orders, their items, products, stock, shipping, payment (5 subgraphs)',
    singleSubgraph: false,
    operations: nestedReads,
  },
  {
    name: 'catalog-page',
    subgraphs: 'shop',
    title: 'Catalog page: 20 products with stock and shipping (2 subgraphs)',
    singleSubgraph: false,
    operations: catalogPages,
  },
  {
    name: 'product-lookup',
    subgraphs: 'shop',
    title: 'Single-subgraph lookup: product(id), products fields only',
    singleSubgraph: true,
    operations: productLookups,
  },
  {
    name: 'mixed',
    subgraphs: 'shop',
    title: 'Mixed: 40% catalog pages, 40% product pages, 10% order history, 10% placeOrder',
    singleSubgraph: false,
    operations: mixedLoad,
  },
  {
    name: 'gateways-bench',
    subgraphs: 'lean',
    title:
      'Public gateways benchmark: its query on its four subgraphs (accounts, inventory, products, reviews), lean and in memory',
    singleSubgraph: false,
    // Anonymous, no variables: the benchmark sends the same request again and again.
    operations: () => [{ query: GATEWAYS_BENCH_QUERY, variables: {} }],
  },
];

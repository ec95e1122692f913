// What the bench asks of the supergraph: the operations a shop's pages send, each a GraphQL document
// with its variables and caller. Every target gets the same list; a load connection walks through it
// in order and starts again, so callers, pages and products vary the way a crowd of shoppers does.

export type ScenarioName = 'nested-read' | 'catalog-page' | 'product-lookup' | 'mixed';

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

export interface Scenario {
  name: ScenarioName;
  title: string;
  /** Whether one subgraph answers it alone, so it can also be sent straight there (the ceiling). */
  singleSubgraph: boolean;
  operations: (data: ScenarioData) => Operation[];
}

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

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'nested-read',
    title: 'Nested read: me, 20 orders, their items, products, stock, shipping, payment (5 subgraphs)',
    singleSubgraph: false,
    operations: nestedReads,
  },
  {
    name: 'catalog-page',
    title: 'Catalog page: 20 products with stock and shipping (2 subgraphs)',
    singleSubgraph: false,
    operations: catalogPages,
  },
  {
    name: 'product-lookup',
    title: 'Single-subgraph lookup: product(id), products fields only',
    singleSubgraph: true,
    operations: productLookups,
  },
  {
    name: 'mixed',
    title: 'Mixed: 40% catalog pages, 40% product pages, 10% order history, 10% placeOrder',
    singleSubgraph: false,
    operations: mixedLoad,
  },
];

import { postSignedGraphQL } from '@supergraph/identity';
import type { Breaker } from '@supergraph/resilience';
import type { CatalogProduct, ProductCatalog } from './product-catalog.ts';

/** `@inaccessible` in the supergraph: only subgraphs ask it, straight at products. */
const PRODUCTS_BY_IDS = `query ($ids: [ID!]!) { productsByIds(ids: $ids) { id price { amount currency } } }`;

type ProductsByIds = { productsByIds: Array<CatalogProduct | null> };

/**
 * One request to the products subgraph for a batch of prices, signed with the internal secret as an
 * anonymous caller (prices are public). Products answers a list in the order asked, null for an unknown
 * id. Anything else (a non-200, GraphQL errors, a list of the wrong length) throws a plain Error, which
 * the breaker counts as a failure of products.
 */
export function requestPrices(url: string, internalSecret: string) {
  return async (signal: AbortSignal, ids: readonly string[]): Promise<Map<string, CatalogProduct>> => {
    const result = await postSignedGraphQL<ProductsByIds>(url, internalSecret, {
      query: PRODUCTS_BY_IDS,
      variables: { ids },
      as: null,
      signal,
    });
    if (result.status !== 200) throw new Error(`products answered HTTP ${result.status}`);
    if (result.errors?.length) {
      throw new Error(`products answered with errors: ${result.errors.map((e) => e.message).join('; ')}`);
    }
    const products = result.data?.productsByIds;
    if (!Array.isArray(products) || products.length !== ids.length) {
      throw new Error('products answered productsByIds with a list that does not match the ids asked');
    }
    const prices = new Map<string, CatalogProduct>();
    ids.forEach((id, index) => {
      const product = products[index];
      if (product) prices.set(id, { id, price: product.price });
    });
    return prices;
  };
}

/**
 * The catalog the subgraph runs with: every lookup goes through the products breaker, so a slow or
 * failing products subgraph costs a placeOrder at most the timeout, and nothing at all once the breaker
 * is open. There is no fallback price on purpose: an order is never placed at a stale or guessed price,
 * so the fallback is to refuse with SERVICE_UNAVAILABLE and write nothing.
 */
export function productsSubgraphCatalog(
  breaker: Breaker<[readonly string[]], Map<string, CatalogProduct>>,
): ProductCatalog {
  return { priceOf: (productIds) => breaker.call(productIds) };
}

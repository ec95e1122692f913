import type { MoneyValue } from './money.ts';

export interface CatalogProduct {
  id: string;
  price: MoneyValue;
}

/**
 * Where an order's prices come from at the moment it is placed. The products subgraph owns prices;
 * orders asks for them through this interface so the domain code is tested with a fake catalog and runs
 * with the real adapter (products-subgraph-catalog.ts) behind a circuit breaker.
 */
export interface ProductCatalog {
  /**
   * Today's price of each product asked for, keyed by the id as asked; an id no product has is missing
   * from the map. Fails with SERVICE_UNAVAILABLE when the catalog cannot answer.
   */
  priceOf: (productIds: readonly string[]) => Promise<Map<string, CatalogProduct>>;
}

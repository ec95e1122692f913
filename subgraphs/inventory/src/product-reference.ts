import type { MoneyValue } from './shipping-estimate.ts';

/**
 * A Product as inventory holds it: the key, and the price and weight when the router sends them for
 * `@requires(fields: "price { amount currency } weightGrams")`. Inventory stores no product; stock is
 * loaded per field, so resolving a reference costs nothing.
 */
export interface ProductReference {
  id: string;
  price?: MoneyValue | null;
  weightGrams?: number | null;
}

/**
 * The fields shippingEstimate is computed from. The router always sends them with a fetch that asks
 * for it; a caller that did not broke the contract, which is an internal error, not the client's.
 */
export function shippingInputs(product: ProductReference): { price: MoneyValue; weightGrams: number } {
  const { price, weightGrams } = product;
  if (!price || typeof weightGrams !== 'number') {
    throw new Error(
      `shippingEstimate of product ${product.id} needs its price and weightGrams in the representation (@requires)`,
    );
  }
  return { price, weightGrams };
}

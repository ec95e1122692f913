import type { MoneyValue } from './product-input.ts';

const RATE_PER_STARTED_KG = 490;

/**
 * The catalog's original flat-rate estimate: 4.90 per started kilogram, in the price's currency.
 * Inventory serves `Product.shippingEstimate` now (`@override(from: "products")` in its schema) with the
 * warehouse's parcel rates; this stays one release as the rollback path and is then deleted together
 * with the field in schema.graphql.
 */
export function flatRateShippingEstimate(product: { price: MoneyValue; weightGrams: number }): MoneyValue {
  return {
    amount: RATE_PER_STARTED_KG * Math.max(1, Math.ceil(product.weightGrams / 1000)),
    currency: product.price.currency,
  };
}

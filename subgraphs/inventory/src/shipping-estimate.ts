/** An amount in the currency's minor unit (cents for EUR), as `Money` carries it. */
export interface MoneyValue {
  amount: number;
  currency: string;
}

/** From this price (100.00 in the price's currency) a product ships free, however heavy. */
export const FREE_SHIPPING_FROM = 10_000;

/** The carrier's parcel classes, lightest first: the first one the weight fits sets the rate. */
const PARCEL_RATES = [
  { upToGrams: 1_000, amount: 490 },
  { upToGrams: 5_000, amount: 690 },
  { upToGrams: 20_000, amount: 1_290 },
] as const;
/** Anything heavier goes as bulky freight. */
const BULKY_RATE = 2_490;

/**
 * What shipping one unit costs: free from FREE_SHIPPING_FROM of price, otherwise the rate of the
 * lightest parcel class the weight fits, in the price's currency. A pure function of the two fields
 * `@requires` makes the router fetch from products, so answering it never touches the database.
 */
export function shippingEstimate(product: { price: MoneyValue; weightGrams: number }): MoneyValue {
  const { price, weightGrams } = product;
  if (price.amount >= FREE_SHIPPING_FROM) return { amount: 0, currency: price.currency };
  const parcel = PARCEL_RATES.find((rate) => weightGrams <= rate.upToGrams);
  return { amount: parcel?.amount ?? BULKY_RATE, currency: price.currency };
}

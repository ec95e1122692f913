export interface MoneyValue {
  /** Minor units of the currency (1490 is 14.90). */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
}

/** Postgres `int` and GraphQL `Int` both stop here; an order's total must fit in both. */
export const MAX_AMOUNT = 2_147_483_647;

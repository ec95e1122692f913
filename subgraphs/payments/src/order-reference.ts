import type { MoneyValue } from './money.ts';

/**
 * An order as payments knows it: orders owns it, so payments holds only its id, plus its total where
 * payments answers it itself (`Payment.order @provides(fields: "total { amount currency }")`).
 */
export interface OrderReference {
  id: string;
  total?: MoneyValue;
}

export interface MoneyValue {
  /** Minor units of the currency (cents for EUR). */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
}

// ICU's list of the ISO 4217 codes in use, so a well-formed but unknown code such as `EUO` is refused.
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
/** The column is a Postgres int. */
const AMOUNT_MAX = 2_147_483_647;

export function isCurrency(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z]{3}$/.test(value) && CURRENCIES.has(value);
}

export function isAmount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= AMOUNT_MAX;
}

/** `1499.00 EUR` for 149900 EUR, `1500 JPY` for 1500 JPY: the currency's own number of decimals. */
export function formatMoney(money: MoneyValue): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency: money.currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  const whole = (money.amount / 10 ** digits).toFixed(digits);
  return `${whole} ${money.currency}`;
}

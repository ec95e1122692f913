import { createHash } from 'node:crypto';
import { badUserInput } from '@supergraph/errors';
import { isUuid } from '@supergraph/db';
import { MAX_AMOUNT, type MoneyValue } from './money.ts';
import type { CatalogProduct } from './product-catalog.ts';

/** What a client sends to place an order (GraphQL's PlaceOrderInput, without GraphQL). */
export interface PlaceOrderInput {
  items: ReadonlyArray<{ productId: string; quantity: number }>;
  idempotencyKey?: string | null;
}

export interface RequestedItem {
  /** Lower-cased: products stores ids lower-case and a key must not depend on how an id was typed. */
  productId: string;
  quantity: number;
}

export interface OrderRequest {
  items: RequestedItem[];
  idempotencyKey: string | null;
  /** sha256 of the items in a canonical form: the same items in any order give the same fingerprint. */
  fingerprint: string;
}

export interface PricedItem extends RequestedItem {
  unitPrice: MoneyValue;
}

export const ITEMS = { min: 1, max: 50 } as const;
export const QUANTITY = { min: 1, max: 100 } as const;
export const IDEMPOTENCY_KEY_MAX = 100;

type Problem = { field: string; message: string };

/** Every problem at once, so a client fixes its input in one round trip. */
function fail(problems: Problem[]): never {
  throw badUserInput(problems.map((problem) => problem.message).join('; '), {
    fields: problems.map((problem) => problem.field),
  });
}

function checkItems(items: PlaceOrderInput['items']): Problem[] {
  const problems: Problem[] = [];
  if (items.length < ITEMS.min || items.length > ITEMS.max) {
    problems.push({
      field: 'items',
      message: `items must hold ${ITEMS.min} to ${ITEMS.max} items; got ${items.length}`,
    });
  }
  const firstIndexOf = new Map<string, number>();
  items.forEach((item, index) => {
    if (!Number.isInteger(item.quantity) || item.quantity < QUANTITY.min || item.quantity > QUANTITY.max) {
      problems.push({
        field: `items[${index}].quantity`,
        message: `items[${index}].quantity must be an integer from ${QUANTITY.min} to ${QUANTITY.max}; got ${item.quantity}`,
      });
    }
    if (!isUuid(item.productId)) {
      problems.push({
        field: `items[${index}].productId`,
        message: `items[${index}].productId is not a product id: ${JSON.stringify(item.productId)}`,
      });
      return;
    }
    const id = item.productId.toLowerCase();
    const first = firstIndexOf.get(id);
    if (first === undefined) {
      firstIndexOf.set(id, index);
    } else {
      problems.push({
        field: `items[${index}].productId`,
        message: `items[${index}].productId repeats items[${first}]; put the whole quantity in one item`,
      });
    }
  });
  return problems;
}

function checkIdempotencyKey(key: string | null | undefined): Problem[] {
  if (key == null || (key.length >= 1 && key.length <= IDEMPOTENCY_KEY_MAX)) return [];
  return [
    {
      field: 'idempotencyKey',
      message: `idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_MAX} characters; got ${key.length}`,
    },
  ];
}

export function fingerprintOf(items: readonly RequestedItem[]): string {
  const canonical = [...items]
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0))
    .map((item) => [item.productId, item.quantity]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** Checks the request as sent, before anything is asked of products or Postgres. */
export function validatePlaceOrder(input: PlaceOrderInput): OrderRequest {
  const problems = [...checkItems(input.items), ...checkIdempotencyKey(input.idempotencyKey)];
  if (problems.length > 0) fail(problems);
  const items = input.items.map((item) => ({
    productId: item.productId.toLowerCase(),
    quantity: item.quantity,
  }));
  return { items, idempotencyKey: input.idempotencyKey ?? null, fingerprint: fingerprintOf(items) };
}

/**
 * Captures each item's unit price from the catalog's answer. An order is priced in one currency: its
 * total is a sum, and amounts in two currencies do not add up.
 */
export function priceItems(
  items: readonly RequestedItem[],
  prices: ReadonlyMap<string, CatalogProduct>,
): { items: PricedItem[]; total: MoneyValue } {
  const problems: Problem[] = [];
  const priced: PricedItem[] = [];
  items.forEach((item, index) => {
    const product = prices.get(item.productId);
    if (!product) {
      problems.push({
        field: `items[${index}].productId`,
        message: `items[${index}].productId: no product has the id ${item.productId}`,
      });
      return;
    }
    priced.push({ ...item, unitPrice: { amount: product.price.amount, currency: product.price.currency } });
  });
  if (problems.length > 0) fail(problems);

  // validatePlaceOrder let at least one item through, and every item found a price.
  const currency = priced[0]?.unitPrice.currency ?? '';
  const other = priced.findIndex((item) => item.unitPrice.currency !== currency);
  if (other !== -1) {
    fail([
      {
        field: `items[${other}].productId`,
        message: `an order is priced in one currency: items[0] costs ${currency} but items[${other}] costs ${priced[other]?.unitPrice.currency}; order them separately`,
      },
    ]);
  }
  const amount = priced.reduce((sum, item) => sum + item.unitPrice.amount * item.quantity, 0);
  if (amount > MAX_AMOUNT) {
    fail([
      {
        field: 'items',
        message: `the order's total of ${amount} ${currency} is more than one order can hold (${MAX_AMOUNT}); split it into several orders`,
      },
    ]);
  }
  return { items: priced, total: { amount, currency } };
}

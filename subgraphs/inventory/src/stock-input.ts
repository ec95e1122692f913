import { isUuid } from '@supergraph/db';
import { badUserInput } from '@supergraph/errors';

/** One restock, or one order line: far above any real delivery, far below Postgres' int limit. */
export const QUANTITY = { min: 1, max: 1_000_000 } as const;
/** Orders hold at most 50 lines; a reservation of more is not an order this shop places. */
export const ITEMS_MAX = 100;

export interface ReserveItem {
  productId: string;
  quantity: number;
}

type Problem = { field: string; message: string };

function uuidProblem(field: string, value: unknown, what: string): Problem[] {
  return isUuid(value)
    ? []
    : [{ field, message: `${field} must be ${what} (a UUID); got ${JSON.stringify(value)}` }];
}

function quantityProblem(field: string, value: unknown): Problem[] {
  return Number.isInteger(value) && (value as number) >= QUANTITY.min && (value as number) <= QUANTITY.max
    ? []
    : [
        {
          field,
          message: `${field} must be an integer from ${QUANTITY.min} to ${QUANTITY.max}; got ${JSON.stringify(value)}`,
        },
      ];
}

/** Every problem at once, so a caller fixes its input in one round trip. */
function failOn(problems: Problem[]): void {
  if (problems.length === 0) return;
  throw badUserInput(problems.map((problem) => problem.message).join('; '), {
    fields: problems.map((problem) => problem.field),
  });
}

/** The product id in its canonical (lower-case) form, which stock rows are keyed by. */
export function validateRestock(
  productId: unknown,
  quantity: unknown,
): { productId: string; quantity: number } {
  failOn([...uuidProblem('productId', productId, 'a product id'), ...quantityProblem('quantity', quantity)]);
  return { productId: (productId as string).toLowerCase(), quantity: quantity as number };
}

export function validateOrderId(orderId: unknown): string {
  failOn(uuidProblem('orderId', orderId, 'an order id'));
  return (orderId as string).toLowerCase();
}

/**
 * An order's items as reservation lines: one per product (an order naming a product twice wants both
 * quantities) and sorted by product id, the order in which every transaction takes stock rows, so two
 * reservations that share products wait for each other instead of deadlocking.
 */
export function validateItems(items: readonly ReserveItem[]): ReserveItem[] {
  if (!Array.isArray(items) || items.length === 0 || items.length > ITEMS_MAX) {
    failOn([
      { field: 'items', message: `items must hold 1 to ${ITEMS_MAX} products; got ${items?.length ?? 0}` },
    ]);
  }
  failOn(
    items.flatMap((item, index) => [
      ...uuidProblem(`items[${index}].productId`, item.productId, 'a product id'),
      ...quantityProblem(`items[${index}].quantity`, item.quantity),
    ]),
  );
  const byProduct = new Map<string, number>();
  for (const item of items) {
    const productId = item.productId.toLowerCase();
    byProduct.set(productId, (byProduct.get(productId) ?? 0) + item.quantity);
  }
  return [...byProduct]
    .map(([productId, quantity]) => ({ productId, quantity }))
    .sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
}

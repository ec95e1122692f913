import { randomUUID } from 'node:crypto';
import { SEED_PRODUCT_IDS } from './seed-ids.ts';
import type { Shop } from './shop.ts';

/**
 * Plentiful products beside scarce ones (the Monstera has 2) and one over the payment limit (the espresso
 * machine), so a burst has orders confirmed, declined and refused for stock.
 */
export const BURST_PRODUCTS = [
  SEED_PRODUCT_IDS.stonewareMug,
  SEED_PRODUCT_IDS.monstera,
  SEED_PRODUCT_IDS.steelBottle,
  SEED_PRODUCT_IDS.espressoMachine,
  SEED_PRODUCT_IDS.dotNotebook,
  SEED_PRODUCT_IDS.senchaTea,
];

const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`;
/** Answers a client retries: the shop, or one of its dependencies, is briefly unavailable. */
const TRANSIENT = new Set(['SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'RATE_LIMITED']);
const RETRY_FOR_MS = 60_000;

/**
 * Places one order the way a careful client does: with an idempotency key and, when `retry`, sent again
 * with the same key while the answer is a transient failure (or no answer), so an order is placed once
 * however often the request is sent. Resolves with the order's id.
 */
async function placeOnce(shop: Shop, token: string, items: object[], retry: boolean): Promise<string> {
  const idempotencyKey = randomUUID();
  const deadline = retry ? Date.now() + RETRY_FOR_MS : 0;
  for (;;) {
    try {
      const result = await shop.client<{ placeOrder: { id: string; status: string } }>(PLACE_ORDER, {
        variables: { input: { items, idempotencyKey } },
        token,
      });
      if (result.data?.placeOrder) return result.data.placeOrder.id;
      const codes = (result.errors ?? []).map((error) => String(error.extensions?.code));
      if (!codes.every((code) => TRANSIENT.has(code)) || Date.now() > deadline)
        throw new Error(`placeOrder failed: ${JSON.stringify(result.errors)}`);
    } catch (error) {
      if (!(error instanceof TypeError) || Date.now() > deadline) throw error;
      // fetch's TypeError: the connection failed; the request may or may not have reached the shop.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Each customer places `perCustomer` orders one after another, all customers at once; `onAccepted` is
 * called after each accepted order with how many are accepted so far (to break something mid-burst).
 * Without `retry`, any failed placeOrder fails the burst. Resolves with the ids of every accepted order.
 */
export async function placeBurst(
  shop: Shop,
  customers: ReadonlyArray<{ token: string }>,
  options: {
    perCustomer: number;
    retry?: boolean;
    onAccepted?: (count: number) => Promise<void> | void;
  },
): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(
    customers.map(async (customer, c) => {
      for (let n = 0; n < options.perCustomer; n += 1) {
        const first = BURST_PRODUCTS[(c + n) % BURST_PRODUCTS.length]!;
        const second = BURST_PRODUCTS[(c * 5 + n * 3 + 1) % BURST_PRODUCTS.length]!;
        const items = [{ productId: first, quantity: 1 + ((c + n) % 2) }];
        if (second !== first) items.push({ productId: second, quantity: 1 });
        ids.push(await placeOnce(shop, customer.token, items, options.retry ?? false));
        await options.onAccepted?.(ids.length);
      }
    }),
  );
  return ids;
}

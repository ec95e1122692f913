import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { SEED_CREDENTIALS, startShop, type Shop } from './support/shop.ts';

// The checkout saga of DESIGN section 5, observed only through the router's public API: every subgraph
// and every domain's event worker running, the events flowing through outboxes and BullMQ.

let shop: Shop;
let admin: string;
let customer: { id: string; token: string };

beforeAll(async () => {
  shop = await startShop({ workers: true });
  admin = await shop.login(SEED_CREDENTIALS.admin);
  customer = await shop.register('saga-shopper@example.com');
}, 90_000);

afterAll(async () => {
  await shop?.stop();
});

interface OrderView {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  cancellationReason: string | null;
  total: { amount: number; currency: string };
  payment: { status: string; amount: { amount: number } } | null;
}

const ORDER_FIELDS =
  'id status cancellationReason total { amount currency } payment { status amount { amount } }';

async function stockOf(productId: string): Promise<number> {
  const result = await shop.client<{ product: { stock: number } }>(
    'query ($id: ID!) { product(id: $id) { stock } }',
    { variables: { id: productId } },
  );
  return result.data!.product.stock;
}

async function place(items: Array<{ productId: string; quantity: number }>): Promise<OrderView> {
  const result = await shop.client<{ placeOrder: OrderView }>(
    `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`,
    { variables: { input: { items } }, token: customer.token },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.placeOrder;
}

/** Waits until the saga has settled the order (CONFIRMED or CANCELLED) and returns it. */
function settled(id: string, until: (order: OrderView) => boolean = (o) => o.status !== 'PENDING') {
  return eventually(async () => {
    const result = await shop.client<{ order: OrderView }>(
      `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`,
      {
        variables: { id },
        token: customer.token,
      },
    );
    const order = result.data?.order;
    return order && until(order) ? order : undefined;
  }, 20_000);
}

async function notificationKinds(): Promise<string[]> {
  const result = await shop.client<{ me: { notifications: Array<{ kind: string }> } }>(
    '{ me { notifications(first: 100) { kind } } }',
    { token: customer.token },
  );
  return result.data!.me.notifications.map((notification) => notification.kind);
}

describe('the checkout saga through the router', () => {
  it('welcomes a newly registered customer', async () => {
    const kinds = await eventually(async () => {
      const found = await notificationKinds();
      return found.includes('WELCOME') ? found : undefined;
    });
    expect(kinds).toEqual(['WELCOME']);
  });

  it('confirms a placed order with an authorized payment and reserved stock', async () => {
    const before = await stockOf(SEED_PRODUCT_IDS.frenchPress);
    const placed = await place([{ productId: SEED_PRODUCT_IDS.frenchPress, quantity: 2 }]);
    expect(placed.status).toBe('PENDING');

    const order = await settled(placed.id);
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      cancellationReason: null,
      payment: { status: 'AUTHORIZED', amount: { amount: placed.total.amount } },
    });
    expect(await stockOf(SEED_PRODUCT_IDS.frenchPress)).toBe(before - 2);
    await eventually(async () =>
      (await notificationKinds()).includes('ORDER_CONFIRMED') ? true : undefined,
    );
  });

  it('cancels an order whose payment is declined, with the reason, and restores the stock', async () => {
    const before = await stockOf(SEED_PRODUCT_IDS.espressoMachine);
    // 1499.00 EUR is above the fake provider's 1000.00 limit.
    const placed = await place([{ productId: SEED_PRODUCT_IDS.espressoMachine, quantity: 1 }]);
    const order = await settled(placed.id);
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellationReason).toMatch(/^Payment declined: .*above the limit of 1000\.00 EUR/);
    expect(order.payment).toMatchObject({ status: 'DECLINED' });
    await eventually(async () =>
      (await stockOf(SEED_PRODUCT_IDS.espressoMachine)) === before ? true : undefined,
    );
  });

  it('cancels an order there is too little stock for, without charging', async () => {
    const before = await stockOf(SEED_PRODUCT_IDS.monstera);
    const placed = await place([
      { productId: SEED_PRODUCT_IDS.stonewareMug, quantity: 1 },
      { productId: SEED_PRODUCT_IDS.monstera, quantity: before + 1 },
    ]);
    const order = await settled(placed.id);
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellationReason).toMatch(/^Out of stock: /);
    expect(order.payment).toBeNull();
    expect(await stockOf(SEED_PRODUCT_IDS.monstera)).toBe(before);
    await eventually(async () =>
      (await notificationKinds()).includes('ORDER_CANCELLED') ? true : undefined,
    );
  });

  it('releases the stock and refunds the payment when the customer cancels a confirmed order', async () => {
    const before = await stockOf(SEED_PRODUCT_IDS.chefsKnife);
    const placed = await place([{ productId: SEED_PRODUCT_IDS.chefsKnife, quantity: 3 }]);
    await settled(placed.id);
    expect(await stockOf(SEED_PRODUCT_IDS.chefsKnife)).toBe(before - 3);

    const cancelled = await shop.client<{ cancelOrder: OrderView }>(
      `mutation ($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`,
      { variables: { id: placed.id }, token: customer.token },
    );
    expect(cancelled.data!.cancelOrder).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Cancelled by the customer.',
    });
    const order = await settled(placed.id, (o) => o.payment?.status === 'REFUNDED');
    expect(order.payment).toMatchObject({ status: 'REFUNDED' });
    await eventually(async () =>
      (await stockOf(SEED_PRODUCT_IDS.chefsKnife)) === before ? true : undefined,
    );
  });

  it('releases whatever was reserved when the customer cancels a PENDING order at once', async () => {
    const before = await stockOf(SEED_PRODUCT_IDS.dotNotebook);
    const placed = await place([{ productId: SEED_PRODUCT_IDS.dotNotebook, quantity: 4 }]);
    const cancelled = await shop.client<{ cancelOrder: OrderView }>(
      `mutation ($id: ID!) { cancelOrder(id: $id) { status } }`,
      { variables: { id: placed.id }, token: customer.token },
    );
    expect(cancelled.data!.cancelOrder.status).toBe('CANCELLED');
    // Whatever the order of events, the order stays cancelled, no money stays held and no stock.
    await eventually(async () =>
      (await stockOf(SEED_PRODUCT_IDS.dotNotebook)) === before ? true : undefined,
    );
    const order = await settled(placed.id, (o) => o.payment === null || o.payment.status !== 'AUTHORIZED');
    expect(order.status).toBe('CANCELLED');
    const admin_ = await shop.client<{ order: OrderView }>(`query ($id: ID!) { order(id: $id) { status } }`, {
      variables: { id: placed.id },
      token: admin,
    });
    expect(admin_.data!.order.status).toBe('CANCELLED');
  });
});

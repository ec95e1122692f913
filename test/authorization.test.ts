import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SEED, SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { SEED_CREDENTIALS, startShop, type Result, type Shop } from './support/shop.ts';

// Owned data (orders, payments, notifications) through every path a client has to it: a customer sees
// only their own, another customer's id gives null or FORBIDDEN with nothing of it in the response, an
// anonymous caller is asked to sign in, and an admin sees everything.

let shop: Shop;
let owner: string;
let other: { id: string; token: string };
let admin: string;

const SECRET_MARKERS = [SEED.orderId, SEED.paymentId, '4170', 'MUG-STONE-350', 'customer@shop.example'];

function expectNothingLeaked(result: Result) {
  const body = JSON.stringify(result);
  for (const marker of SECRET_MARKERS)
    expect({ marker, leaked: body.includes(marker) }).toEqual({ marker, leaked: false });
}

beforeAll(async () => {
  shop = await startShop();
  [owner, admin, other] = await Promise.all([
    shop.login(SEED_CREDENTIALS.customer),
    shop.login(SEED_CREDENTIALS.admin),
    shop.register('someone-else@example.com'),
  ]);
}, 90_000);

afterAll(async () => {
  await shop?.stop();
});

const ORDER = `query ($id: ID!) { order(id: $id) { id total { amount } items { product { sku } } payment { status } } }`;
const PAYMENT = `query ($id: ID!) { payment(id: $id) { id status amount { amount } order { id total { amount } } } }`;

describe('order(id)', () => {
  it('gives the owner their order with its payment', async () => {
    const result = await shop.client(ORDER, { variables: { id: SEED.orderId }, token: owner });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ order: { id: SEED.orderId, payment: { status: 'AUTHORIZED' } } });
  });

  it("gives another customer null for someone else's order", async () => {
    const result = await shop.client(ORDER, { variables: { id: SEED.orderId }, token: other.token });
    expect(result.data).toEqual({ order: null });
    expectNothingLeaked(result);
  });

  it('asks an anonymous caller to sign in', async () => {
    const result = await shop.client(ORDER, { variables: { id: SEED.orderId } });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expectNothingLeaked(result);
  });

  it('gives an admin any order', async () => {
    const result = await shop.client(ORDER, { variables: { id: SEED.orderId }, token: admin });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ order: { id: SEED.orderId, total: { amount: 4170 } } });
  });
});

describe('payment(id) and Order.payment', () => {
  it("gives another customer null for someone else's payment", async () => {
    const result = await shop.client(PAYMENT, { variables: { id: SEED.paymentId }, token: other.token });
    expect(result.data).toEqual({ payment: null });
    expectNothingLeaked(result);
  });

  it('gives the owner and an admin the payment', async () => {
    for (const token of [owner, admin]) {
      const result = await shop.client(PAYMENT, { variables: { id: SEED.paymentId }, token });
      expect(result.data).toMatchObject({ payment: { id: SEED.paymentId, status: 'AUTHORIZED' } });
    }
  });

  it("shows a customer their own new order with no payment yet, not anyone else's", async () => {
    const placed = await shop.client<{ placeOrder: { id: string } }>(
      `mutation ($id: ID!) { placeOrder(input: { items: [{ productId: $id, quantity: 1 }] }) { id } }`,
      { variables: { id: SEED_PRODUCT_IDS.dotNotebook }, token: other.token },
    );
    expect(placed.errors).toBeUndefined();
    const result = await shop.client(ORDER, {
      variables: { id: placed.data!.placeOrder.id },
      token: other.token,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ order: { id: placed.data!.placeOrder.id, payment: null } });
    const forOwner = await shop.client(ORDER, {
      variables: { id: placed.data!.placeOrder.id },
      token: owner,
    });
    expect(forOwner.data).toEqual({ order: null });
  });
});

describe('me { orders notifications }', () => {
  const MINE = '{ me { id orders { totalCount edges { node { id } } } notifications { kind } } }';

  it('holds only your own orders and notifications', async () => {
    const mine = await shop.client<{ me: { orders: { edges: Array<{ node: { id: string } }> } } }>(MINE, {
      token: owner,
    });
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.me.orders.edges.map((edge) => edge.node.id)).toContain(SEED.orderId);

    const theirs = await shop.client<{
      me: { id: string; orders: { edges: Array<{ node: { id: string } }> } };
    }>(MINE, { token: other.token });
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data!.me.id).toBe(other.id);
    expect(theirs.data!.me.orders.edges.map((edge) => edge.node.id)).not.toContain(SEED.orderId);
    expectNothingLeaked(theirs);
  });
});

describe('user(id) { orders notifications }', () => {
  const USER = `query ($id: ID!) {
    user(id: $id) { email orders { totalCount edges { node { id } } } notifications { kind } }
  }`;

  it('refuses another customer without a trace of the data', async () => {
    const result = await shop.client(USER, { variables: { id: SEED.customerId }, token: other.token });
    expect(result.data).toEqual({ user: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expectNothingLeaked(result);
  });

  it("gives an admin a customer's orders and notifications", async () => {
    const result = await shop.client<{ user: { orders: { totalCount: number }; notifications: unknown[] } }>(
      USER,
      { variables: { id: SEED.customerId }, token: admin },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.user.orders.totalCount).toBeGreaterThanOrEqual(1);
    expect(result.data!.user.notifications).toEqual(
      expect.arrayContaining([{ kind: 'WELCOME' }, { kind: 'ORDER_CONFIRMED' }]),
    );
  });
});

describe('cancelOrder', () => {
  it("answers NOT_FOUND for someone else's order and leaves it as it was", async () => {
    const result = await shop.client(`mutation ($id: ID!) { cancelOrder(id: $id) { id status } }`, {
      variables: { id: SEED.orderId },
      token: other.token,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expectNothingLeaked({ ...result, errors: [] });
    const after = await shop.client<{ order: { status: string } }>(
      'query ($id: ID!) { order(id: $id) { status } }',
      {
        variables: { id: SEED.orderId },
        token: owner,
      },
    );
    expect(after.data!.order.status).toBe('CONFIRMED');
  });
});

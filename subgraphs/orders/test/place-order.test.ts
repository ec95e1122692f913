import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { Identity } from '@supergraph/identity';
import type { TestSubgraph } from '@supergraph/testing';
import { Order, OrderItem } from '../src/order.entity.ts';
import {
  ADMIN,
  CUSTOMER,
  item,
  openOrdersDatabase,
  OTHER_CUSTOMER,
  PLACE_ORDER,
  SEED_PRODUCT_IDS,
  startOrders,
  startProducts,
  type OrderView,
} from './orders-fixture.ts';

// placeOrder through GraphQL, priced by the real products subgraph started beside it.

let products: TestSubgraph;
let orders: TestSubgraph;
let db: Database;

beforeAll(async () => {
  products = await startProducts();
  orders = await startOrders({ env: { PRODUCTS_URL: products.url } });
  db = await openOrdersDatabase(orders);
});

afterAll(async () => {
  await db?.close();
  await orders?.stop();
  await products?.stop();
});

type Placed = { placeOrder: OrderView };
const place = (input: Record<string, unknown>, as: Identity | null = CUSTOMER) =>
  orders.run<Placed>(PLACE_ORDER, { variables: { input }, as });
const orderRows = () => db.em.fork().count(Order);

describe('placeOrder', () => {
  it("places a PENDING order at the catalog's prices and writes the order with its items", async () => {
    const result = await place({
      items: [item(SEED_PRODUCT_IDS.stonewareMug, 2), item(SEED_PRODUCT_IDS.ethiopiaBeans.toUpperCase(), 3)],
    });
    expect(result.errors).toBeUndefined();
    const order = result.data!.placeOrder;
    expect(order).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'PENDING',
      cancellationReason: null,
      total: { amount: 2 * 1490 + 3 * 1190, currency: 'EUR' },
      user: { id: CUSTOMER.userId },
      items: [
        {
          product: { id: SEED_PRODUCT_IDS.stonewareMug },
          quantity: 2,
          unitPrice: { amount: 1490, currency: 'EUR' },
        },
        {
          product: { id: SEED_PRODUCT_IDS.ethiopiaBeans },
          quantity: 3,
          unitPrice: { amount: 1190, currency: 'EUR' },
        },
      ],
      createdAt: expect.any(String),
      updatedAt: order.createdAt,
    });

    const em = db.em.fork();
    const row = await em.findOneOrFail(Order, { id: order.id });
    expect(row).toMatchObject({ userId: CUSTOMER.userId, status: 'PENDING', idempotencyKey: null });
    const items = await em.find(OrderItem, { order: order.id }, { orderBy: { position: 'asc' } });
    expect(
      items.map(({ position, productId, quantity, unitPrice }) => ({
        position,
        productId,
        quantity,
        unitPrice,
      })),
    ).toEqual([
      {
        position: 0,
        productId: SEED_PRODUCT_IDS.stonewareMug,
        quantity: 2,
        unitPrice: { amount: 1490, currency: 'EUR' },
      },
      {
        position: 1,
        productId: SEED_PRODUCT_IDS.ethiopiaBeans,
        quantity: 3,
        unitPrice: { amount: 1190, currency: 'EUR' },
      },
    ]);
  });

  it('keeps the price it was placed at when the catalog changes later', async () => {
    const placed = await place({ items: [item(SEED_PRODUCT_IDS.fountainPen)] });
    const before = placed.data!.placeOrder.items[0]!.unitPrice;
    const repriced = await products.run(
      `mutation ($id: ID!) { updateProduct(id: $id, input: { price: { amount: 99999, currency: "EUR" } }) { id } }`,
      { variables: { id: SEED_PRODUCT_IDS.fountainPen }, as: ADMIN },
    );
    expect(repriced.errors).toBeUndefined();
    const after = await orders.run<{ order: OrderView }>(
      'query ($id: ID!) { order(id: $id) { total { amount } items { unitPrice { amount currency } } } }',
      { variables: { id: placed.data!.placeOrder.id }, as: CUSTOMER },
    );
    expect(after.data!.order).toEqual({ total: { amount: before.amount }, items: [{ unitPrice: before }] });
    const next = await place({ items: [item(SEED_PRODUCT_IDS.fountainPen)] });
    expect(next.data!.placeOrder.total).toEqual({ amount: 99999, currency: 'EUR' });
  });

  it('asks an anonymous caller to sign in and writes nothing', async () => {
    const before = await orderRows();
    const result = await place({ items: [item(SEED_PRODUCT_IDS.stonewareMug)] }, null);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.errors?.[0]?.message).toBe('You must be signed in to place an order.');
    expect(result.data).toBeNull();
    expect(await orderRows()).toBe(before);
  });

  it('reports every problem with the items at once, naming each item, before asking products', async () => {
    const before = await orderRows();
    products.queries.reset();
    const result = await place({
      items: [
        item(SEED_PRODUCT_IDS.stonewareMug),
        item('abc'),
        item(SEED_PRODUCT_IDS.deskLamp, 0),
        item(SEED_PRODUCT_IDS.stonewareMug.toUpperCase(), 101),
      ],
      idempotencyKey: '',
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        'items[1].productId',
        'items[2].quantity',
        'items[3].quantity',
        'items[3].productId',
        'idempotencyKey',
      ],
    });
    expect(result.errors![0]!.message).toBe(
      [
        'items[1].productId is not a product id: "abc"',
        'items[2].quantity must be an integer from 1 to 100; got 0',
        'items[3].quantity must be an integer from 1 to 100; got 101',
        'items[3].productId repeats items[0]; put the whole quantity in one item',
        'idempotencyKey must be 1 to 100 characters; got 0',
      ].join('; '),
    );
    expect(products.queries.statements).toHaveLength(0);
    expect(await orderRows()).toBe(before);
  });

  it.each([
    [0, 'items must hold 1 to 50 items; got 0'],
    [51, 'items must hold 1 to 50 items; got 51'],
  ])('refuses %i items', async (count, message) => {
    const ids = Array.from(
      { length: count },
      (_, index) => `00000000-0000-4000-8002-${String(index + 100).padStart(12, '0')}`,
    );
    const result = await place({ items: ids.map((id) => item(id)) });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['items'] });
    expect(result.errors?.[0]?.message).toBe(message);
  });

  it('refuses an idempotency key longer than 100 characters', async () => {
    const result = await place({
      items: [item(SEED_PRODUCT_IDS.stonewareMug)],
      idempotencyKey: 'k'.repeat(101),
    });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['idempotencyKey'] });
    expect(result.errors?.[0]?.message).toBe('idempotencyKey must be 1 to 100 characters; got 101');
  });

  it('names every item whose product does not exist, and writes nothing', async () => {
    const before = await orderRows();
    const missing = ['00000000-0000-4000-8002-999999999998', '00000000-0000-4000-8002-999999999999'];
    const result = await place({
      items: [item(missing[0]!), item(SEED_PRODUCT_IDS.stonewareMug), item(missing[1]!)],
    });
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['items[0].productId', 'items[2].productId'],
    });
    expect(result.errors?.[0]?.message).toBe(
      `items[0].productId: no product has the id ${missing[0]}; items[2].productId: no product has the id ${missing[1]}`,
    );
    expect(await orderRows()).toBe(before);
  });

  it('refuses products priced in different currencies in one order', async () => {
    const created = await products.run<{ createProduct: { id: string } }>(
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      {
        variables: {
          input: {
            sku: 'MUG-USD-1',
            name: 'Dollar Mug',
            description: 'Sold in dollars.',
            price: { amount: 1500, currency: 'USD' },
            weightGrams: 300,
          },
        },
        as: ADMIN,
      },
    );
    const dollarMug = created.data!.createProduct.id;
    const result = await place({ items: [item(SEED_PRODUCT_IDS.stonewareMug), item(dollarMug)] });
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['items[1].productId'],
    });
    expect(result.errors?.[0]?.message).toBe(
      'an order is priced in one currency: items[0] costs EUR but items[1] costs USD; order them separately',
    );
    const alone = await place({ items: [item(dollarMug, 2)] });
    expect(alone.data!.placeOrder.total).toEqual({ amount: 3000, currency: 'USD' });
  });
});

describe('placeOrder with an idempotency key', () => {
  const input = (key: string, quantity = 1) => ({
    items: [item(SEED_PRODUCT_IDS.senchaTea, quantity), item(SEED_PRODUCT_IDS.canvasTote)],
    idempotencyKey: key,
  });

  it('returns the first order for a retry, without asking products again or writing a second one', async () => {
    const first = await place(input('checkout-1'));
    expect(first.errors).toBeUndefined();
    const before = await orderRows();
    products.queries.reset();
    // The same items in another order and with the id in upper case are the same request.
    const retry = await place({
      items: [item(SEED_PRODUCT_IDS.canvasTote.toUpperCase()), item(SEED_PRODUCT_IDS.senchaTea)],
      idempotencyKey: 'checkout-1',
    });
    expect(retry.data!.placeOrder).toEqual(first.data!.placeOrder);
    expect(products.queries.statements).toHaveLength(0);
    expect(await orderRows()).toBe(before);
  });

  it('refuses the same key with different items', async () => {
    await place(input('checkout-2'));
    const before = await orderRows();
    const result = await place(input('checkout-2', 5));
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['idempotencyKey'] });
    expect(result.errors?.[0]?.message).toBe(
      'idempotencyKey "checkout-2" was already used for a different order; send a new key to place a new order',
    );
    expect(await orderRows()).toBe(before);
  });

  it("gives another customer's identical key an order of their own", async () => {
    const mine = await place(input('checkout-3'));
    const theirs = await place(input('checkout-3'), OTHER_CUSTOMER);
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data!.placeOrder.id).not.toBe(mine.data!.placeOrder.id);
    expect(theirs.data!.placeOrder.user).toEqual({ id: OTHER_CUSTOMER.userId });
  });

  it('writes one order when the same request arrives many times at once', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => place(input('checkout-parallel'))));
    expect(results.map((result) => result.errors)).toEqual(results.map(() => undefined));
    const ids = new Set(results.map((result) => result.data!.placeOrder.id));
    expect(ids.size).toBe(1);
    expect(await db.em.fork().count(Order, { idempotencyKey: 'checkout-parallel' })).toBe(1);
    expect(await db.em.fork().count(OrderItem, { order: [...ids][0]! })).toBe(2);
  });
});

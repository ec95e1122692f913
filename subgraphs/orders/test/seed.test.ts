import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { TestSubgraph } from '@supergraph/testing';
import { Order, OrderItem } from '../src/order.entity.ts';
import { SEED_ORDER_IDS, SEED_ORDER_ITEMS, seedOrders } from '../src/seed.ts';
import {
  CUSTOMER,
  fakeCatalog,
  openOrdersDatabase,
  ORDER,
  OTHER_CUSTOMER,
  startOrders,
  startProducts,
} from './orders-fixture.ts';

let orders: TestSubgraph;
let db: Database;

beforeAll(async () => {
  orders = await startOrders({ catalog: fakeCatalog({}), seed: true });
  db = await openOrdersDatabase(orders);
});

afterAll(async () => {
  await db?.close();
  await orders?.stop();
});

describe('the demo order', () => {
  it('is loaded on start with SEED_ON_START; seeding again inserts nothing', async () => {
    expect(await db.em.fork().count(Order, { id: SEED_ORDER_IDS.pastOrder })).toBe(1);
    expect(await seedOrders(db.em.fork())).toBe(0);
  });

  it('inserts the order and its items where they are missing', async () => {
    await db.em.fork().nativeDelete(Order, { id: SEED_ORDER_IDS.pastOrder });
    expect(await seedOrders(db.em.fork())).toBe(1 + SEED_ORDER_ITEMS.length);
    expect(await db.em.fork().count(OrderItem, { order: SEED_ORDER_IDS.pastOrder })).toBe(2);
    expect(await seedOrders(db.em.fork())).toBe(0);
  });

  it("is the customer's confirmed past order of two mugs and a bag of beans", async () => {
    const result = await orders.run(ORDER, { variables: { id: SEED_ORDER_IDS.pastOrder }, as: CUSTOMER });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      order: {
        id: SEED_ORDER_IDS.pastOrder,
        status: 'CONFIRMED',
        cancellationReason: null,
        total: { amount: 4170, currency: 'EUR' },
        user: { id: CUSTOMER.userId },
        items: [
          {
            product: { id: '00000000-0000-4000-8002-000000000001' },
            quantity: 2,
            unitPrice: { amount: 1490, currency: 'EUR' },
          },
          {
            product: { id: '00000000-0000-4000-8002-000000000005' },
            quantity: 1,
            unitPrice: { amount: 1190, currency: 'EUR' },
          },
        ],
        createdAt: '2026-11-01T10:00:00.000Z',
        updatedAt: '2026-11-01T10:00:00.000Z',
      },
    });
    const other = await orders.run(ORDER, {
      variables: { id: SEED_ORDER_IDS.pastOrder },
      as: OTHER_CUSTOMER,
    });
    expect(other.data).toEqual({ order: null });
  });

  it('keeps what happened to it since: a cancelled demo order stays cancelled after another seed', async () => {
    const cancelled = await orders.run(`mutation ($id: ID!) { cancelOrder(id: $id) { status } }`, {
      variables: { id: SEED_ORDER_IDS.pastOrder },
      as: CUSTOMER,
    });
    expect(cancelled.data).toEqual({ cancelOrder: { status: 'CANCELLED' } });
    expect(await seedOrders(db.em.fork())).toBe(0);
    const after = await orders.run<{ order: { status: string } }>(ORDER, {
      variables: { id: SEED_ORDER_IDS.pastOrder },
      as: CUSTOMER,
    });
    expect(after.data!.order.status).toBe('CANCELLED');
  });

  it("was priced at the demo catalog's prices for the products it names", async () => {
    const products = await startProducts();
    try {
      const result = await products.run<{
        productsByIds: Array<{ sku: string; price: { amount: number; currency: string } } | null>;
      }>('query ($ids: [ID!]!) { productsByIds(ids: $ids) { sku price { amount currency } } }', {
        variables: { ids: SEED_ORDER_ITEMS.map((line) => line.productId) },
      });
      expect(result.data!.productsByIds).toEqual([
        { sku: 'MUG-STONE-350', price: SEED_ORDER_ITEMS[0].unitPrice },
        { sku: 'COF-ETH-250', price: SEED_ORDER_ITEMS[1].unitPrice },
      ]);
    } finally {
      await products.stop();
    }
  });
});

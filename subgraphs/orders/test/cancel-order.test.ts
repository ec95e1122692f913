import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { Identity } from '@supergraph/identity';
import type { TestSubgraph } from '@supergraph/testing';
import { createOrderService } from '../src/order.service.ts';
import { Order } from '../src/order.entity.ts';
import {
  ADMIN,
  CANCEL_ORDER,
  CUSTOMER,
  fakeCatalog,
  insertOrders,
  openOrdersDatabase,
  OTHER_CUSTOMER,
  startOrders,
  type OrderView,
} from './orders-fixture.ts';

let orders: TestSubgraph;
let db: Database;

beforeAll(async () => {
  orders = await startOrders({ catalog: fakeCatalog({}) });
  db = await openOrdersDatabase(orders);
});

afterAll(async () => {
  await db?.close();
  await orders?.stop();
});

const cancel = (id: string, as: Identity | null) =>
  orders.run<{ cancelOrder: OrderView }>(CANCEL_ORDER, { variables: { id }, as });
const service = () => createOrderService(db.em.fork(), fakeCatalog({}));
const row = (id: string) => db.em.fork().findOneOrFail(Order, { id });

describe('cancelOrder', () => {
  it('cancels a PENDING order of the customer and says who cancelled it', async () => {
    const [id] = await insertOrders(db, CUSTOMER.userId, 1);
    const result = await cancel(id!, CUSTOMER);
    expect(result.errors).toBeUndefined();
    expect(result.data!.cancelOrder).toMatchObject({
      id,
      status: 'CANCELLED',
      cancellationReason: 'Cancelled by the customer.',
      items: [{ quantity: 1 }, { quantity: 2 }],
    });
    expect(result.data!.cancelOrder.updatedAt > result.data!.cancelOrder.createdAt).toBe(true);
    expect(await row(id!)).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Cancelled by the customer.',
    });
  });

  it("cancels a CONFIRMED order, and an admin cancels anyone's", async () => {
    const [id] = await insertOrders(db, OTHER_CUSTOMER.userId, 1);
    expect(await service().confirm(id!)).toBe(true);
    const result = await cancel(id!, ADMIN);
    expect(result.data!.cancelOrder).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Cancelled by an admin.',
      user: { id: OTHER_CUSTOMER.userId },
    });
  });

  it('returns an order cancelled before as it is, reason and time unchanged', async () => {
    const [id] = await insertOrders(db, CUSTOMER.userId, 1);
    await service().cancel(id!, 'Out of stock: Stoneware Mug 350 ml.');
    const before = await row(id!);
    const result = await cancel(id!, CUSTOMER);
    expect(result.data!.cancelOrder).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Out of stock: Stoneware Mug 350 ml.',
      updatedAt: before.updatedAt.toISOString(),
    });
  });

  it("answers NOT_FOUND for another customer's order and leaves it as it was", async () => {
    const [id] = await insertOrders(db, OTHER_CUSTOMER.userId, 1);
    const result = await cancel(id!, CUSTOMER);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });
    expect(result.errors?.[0]?.message).toBe(`no order has the id ${id}`);
    expect(await row(id!)).toMatchObject({ status: 'PENDING', cancellationReason: null });
  });

  it.each([
    ['an unknown id', '00000000-0000-4000-8004-999999999999'],
    ['a malformed id', 'order-1'],
  ])('answers NOT_FOUND for %s', async (_, id) => {
    const result = await cancel(id, CUSTOMER);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND' });
    expect(result.errors?.[0]?.message).toBe(`no order has the id ${id}`);
  });

  it('asks an anonymous caller to sign in and changes nothing', async () => {
    const [id] = await insertOrders(db, CUSTOMER.userId, 1);
    const result = await cancel(id!, null);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(result.errors?.[0]?.message).toBe('You must be signed in to cancel an order.');
    expect((await row(id!)).status).toBe('PENDING');
  });

  it('loses no update when the customer cancels while the saga confirms', async () => {
    const ids = await insertOrders(db, CUSTOMER.userId, 10);
    const results = await Promise.all(
      ids.map(async (id) => {
        const [cancelled, confirmed] = await Promise.all([cancel(id, CUSTOMER), service().confirm(id)]);
        return { cancelled: cancelled.data!.cancelOrder, confirmed };
      }),
    );
    for (const [index, { cancelled }] of results.entries()) {
      // Whichever ran first, the customer's cancel is the last word and the answer shows it.
      expect(cancelled).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'Cancelled by the customer.',
      });
      expect(await row(ids[index]!)).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'Cancelled by the customer.',
      });
    }
  });
});

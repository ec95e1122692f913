import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { findReservedMismatches } from '../src/stock-audit.ts';
import { createStockService } from '../src/stock.service.ts';
import {
  openTestDatabase,
  orderId,
  productIds,
  reservationOf,
  stockOf,
  stockUp,
  type TestDatabase,
} from './inventory-fixture.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db?.stop();
});

const service = () => createStockService(db.orm.em.fork());

/** Two stocked products and an order holding 2 and 3 of them. */
async function reservedOrder() {
  const [a, b] = productIds(2) as [string, string];
  await stockUp(db.orm, { [a]: 10, [b]: 3 });
  const order = orderId();
  const outcome = await service().reserve(order, [
    { productId: a, quantity: 2 },
    { productId: b, quantity: 3 },
  ]);
  expect(outcome.status).toBe('RESERVED');
  return { a, b, order };
}

describe('release', () => {
  it("gives a reserved order's units back once and marks it RELEASED", async () => {
    const { a, b, order } = await reservedOrder();

    expect(await service().release(order)).toEqual({ released: true });
    expect(await stockOf(db.orm, a)).toEqual({ available: 10, reserved: 0 });
    expect(await stockOf(db.orm, b)).toEqual({ available: 3, reserved: 0 });
    expect((await reservationOf(db.orm, order))!.status).toBe('RELEASED');

    expect(await service().release(order)).toEqual({ released: false });
    expect(await stockOf(db.orm, a)).toEqual({ available: 10, reserved: 0 });
    expect(await findReservedMismatches(db.orm.em.fork())).toEqual([]);
  });

  it('releases once when the same order is released concurrently', async () => {
    const { a, b, order } = await reservedOrder();

    const outcomes = await Promise.all(Array.from({ length: 10 }, () => service().release(order)));

    expect(outcomes.filter((outcome) => outcome.released)).toHaveLength(1);
    expect(await stockOf(db.orm, a)).toEqual({ available: 10, reserved: 0 });
    expect(await stockOf(db.orm, b)).toEqual({ available: 3, reserved: 0 });
  });

  it('changes nothing for a rejected order', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 1 });
    const order = orderId();
    await service().reserve(order, [{ productId: a, quantity: 5 }]);

    expect(await service().release(order)).toEqual({ released: false });
    expect(await stockOf(db.orm, a)).toEqual({ available: 1, reserved: 0 });
    expect((await reservationOf(db.orm, order))!.status).toBe('REJECTED');
  });

  it('answers a reservation after a release with RELEASED, holding nothing', async () => {
    const { a, order } = await reservedOrder();
    await service().release(order);

    expect(await service().reserve(order, [{ productId: a, quantity: 2 }])).toEqual({
      status: 'RELEASED',
      replayed: true,
    });
    expect(await stockOf(db.orm, a)).toEqual({ available: 10, reserved: 0 });
  });

  it('releases nothing for an order never reserved, and its late reservation then holds nothing', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 4 });
    const order = orderId();

    // The order was cancelled while its OrderPlaced event waited for a retry.
    expect(await service().release(order)).toEqual({ released: false });
    expect(await service().reserve(order, [{ productId: a, quantity: 1 }])).toEqual({
      status: 'RELEASED',
      replayed: true,
    });
    expect(await stockOf(db.orm, a)).toEqual({ available: 4, reserved: 0 });
    expect(await reservationOf(db.orm, order)).toEqual({ status: 'RELEASED', shortages: null, lines: [] });
  });

  it('never leaves units held when a release races the reservation of the same order', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 100 });
    const orders = Array.from({ length: 20 }, orderId);

    await Promise.all(
      orders.flatMap((order, index) => {
        const reserve = () => service().reserve(order, [{ productId: a, quantity: 1 }]);
        const release = () => service().release(order);
        return index % 2 === 0 ? [reserve(), release()] : [release(), reserve()];
      }),
    );

    expect(await stockOf(db.orm, a)).toEqual({ available: 100, reserved: 0 });
    for (const order of orders) expect((await reservationOf(db.orm, order))!.status).toBe('RELEASED');
  });

  it('refuses an order id that is not a UUID', async () => {
    await expect(service().release('order-1')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'orderId must be an order id (a UUID); got "order-1"',
      details: { fields: ['orderId'] },
    });
  });
});

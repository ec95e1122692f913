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

/** A service on its own EntityManager fork, as each queue job or request gets. */
const service = () => createStockService(db.orm.em.fork());

describe('reserve', () => {
  it("holds every item's units for the order and records its lines", async () => {
    const [a, b] = productIds(2) as [string, string];
    await stockUp(db.orm, { [a]: 5, [b]: 3 });
    const order = orderId();

    const outcome = await service().reserve(order, [
      { productId: b, quantity: 3 },
      { productId: a, quantity: 2 },
    ]);

    expect(outcome).toEqual({ status: 'RESERVED', replayed: false });
    expect(await stockOf(db.orm, a)).toEqual({ available: 3, reserved: 2 });
    expect(await stockOf(db.orm, b)).toEqual({ available: 0, reserved: 3 });
    expect(await reservationOf(db.orm, order)).toEqual({
      status: 'RESERVED',
      shortages: null,
      lines: [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 3 },
      ],
    });
    expect(await findReservedMismatches(db.orm.em.fork())).toEqual([]);
  });

  it('refuses the whole order when any item is short, names every short item and takes nothing', async () => {
    // a is taken first (ids sorted), b is short, c is fine, d was never stocked.
    const [a, b, c, d] = productIds(4) as [string, string, string, string];
    await stockUp(db.orm, { [a]: 10, [b]: 1, [c]: 4 });
    const order = orderId();

    const outcome = await service().reserve(order, [
      { productId: d, quantity: 1 },
      { productId: c, quantity: 4 },
      { productId: b, quantity: 2 },
      { productId: a, quantity: 3 },
    ]);

    const shortages = [
      { productId: b, requested: 2, available: 1 },
      { productId: d, requested: 1, available: 0 },
    ];
    expect(outcome).toEqual({ status: 'REJECTED', shortages, replayed: false });
    expect(await stockOf(db.orm, a)).toEqual({ available: 10, reserved: 0 });
    expect(await stockOf(db.orm, b)).toEqual({ available: 1, reserved: 0 });
    expect(await stockOf(db.orm, c)).toEqual({ available: 4, reserved: 0 });
    expect(await stockOf(db.orm, d)).toBeNull();
    expect(await reservationOf(db.orm, order)).toEqual({
      status: 'REJECTED',
      shortages,
      lines: [
        { productId: a, quantity: 3 },
        { productId: b, quantity: 2 },
        { productId: c, quantity: 4 },
        { productId: d, quantity: 1 },
      ],
    });
  });

  it('adds up the quantities of a product the order names twice', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 5 });
    const order = orderId();
    const outcome = await service().reserve(order, [
      { productId: a, quantity: 1 },
      { productId: a.toUpperCase(), quantity: 3 },
    ]);
    expect(outcome.status).toBe('RESERVED');
    expect(await stockOf(db.orm, a)).toEqual({ available: 1, reserved: 4 });
    expect((await reservationOf(db.orm, order))!.lines).toEqual([{ productId: a, quantity: 4 }]);
  });

  it('answers a second call for the same order with the recorded outcome and changes nothing', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 5 });
    const order = orderId();
    await service().reserve(order, [{ productId: a, quantity: 2 }]);

    // Even with other items: the order's reservation is decided once.
    expect(await service().reserve(order, [{ productId: a, quantity: 3 }])).toEqual({
      status: 'RESERVED',
      replayed: true,
    });
    expect(await stockOf(db.orm, a)).toEqual({ available: 3, reserved: 2 });
    expect((await reservationOf(db.orm, order))!.lines).toEqual([{ productId: a, quantity: 2 }]);
  });

  it('gives a redelivered rejected order the same answer, even after a restock', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 1 });
    const order = orderId();
    const first = await service().reserve(order, [{ productId: a, quantity: 2 }]);
    expect(first).toEqual({
      status: 'REJECTED',
      shortages: [{ productId: a, requested: 2, available: 1 }],
      replayed: false,
    });

    await stockUp(db.orm, { [a]: 10 });
    expect(await service().reserve(order, [{ productId: a, quantity: 2 }])).toEqual({
      ...first,
      replayed: true,
    });
    expect(await stockOf(db.orm, a)).toEqual({ available: 11, reserved: 0 });
  });

  it('takes the units once when the same order is reserved concurrently', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 50 });
    const order = orderId();

    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => service().reserve(order, [{ productId: a, quantity: 3 }])),
    );

    expect(outcomes.filter((outcome) => !outcome.replayed)).toHaveLength(1);
    expect(outcomes.every((outcome) => outcome.status === 'RESERVED')).toBe(true);
    expect(await stockOf(db.orm, a)).toEqual({ available: 47, reserved: 3 });
  });

  it('sells the last unit to exactly one of 20 orders racing for it', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 1 });
    const orders = Array.from({ length: 20 }, orderId);

    const outcomes = await Promise.all(
      orders.map((order) => service().reserve(order, [{ productId: a, quantity: 1 }])),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'RESERVED')).toHaveLength(1);
    const rejected = outcomes.filter((outcome) => outcome.status === 'REJECTED');
    expect(rejected).toHaveLength(19);
    for (const outcome of rejected) {
      expect(outcome).toEqual({
        status: 'REJECTED',
        shortages: [{ productId: a, requested: 1, available: 0 }],
        replayed: false,
      });
    }
    expect(await stockOf(db.orm, a)).toEqual({ available: 0, reserved: 1 });
    expect(await findReservedMismatches(db.orm.em.fork())).toEqual([]);
  });

  it.each([
    ['plenty', 200, 40],
    ['scarce', 12, 0],
  ])(
    'finishes overlapping multi-item orders in parallel without deadlock, totals intact (%s stock)',
    async (_, initial, minimumReserved) => {
      const products = productIds(5);
      await stockUp(db.orm, Object.fromEntries(products.map((id) => [id, initial])));
      // Each order takes three of five products, every other one listing them in descending id order:
      // taken in the order given, two such orders would lock rows in opposite orders and deadlock.
      const orders = Array.from({ length: 40 }, (__, index) => ({
        id: orderId(),
        items: [index, index + 2, index + 3]
          .map((offset) => ({ productId: products[offset % 5]!, quantity: (index % 3) + 1 }))
          .sort((x, y) => (x.productId < y.productId ? 1 : -1) * (index % 2 === 0 ? 1 : -1)),
      }));

      const outcomes = await Promise.all(orders.map((order) => service().reserve(order.id, order.items)));

      const reserved = orders.filter((__, index) => outcomes[index]!.status === 'RESERVED');
      expect(reserved.length).toBeGreaterThanOrEqual(minimumReserved);
      for (const productId of products) {
        const held = reserved
          .flatMap((order) => order.items)
          .filter((item) => item.productId === productId)
          .reduce((sum, item) => sum + item.quantity, 0);
        const level = (await stockOf(db.orm, productId))!;
        expect({ productId, ...level }).toEqual({ productId, available: initial - held, reserved: held });
      }
      expect(await findReservedMismatches(db.orm.em.fork())).toEqual([]);
    },
  );

  it('joins a caller transaction, so a failure after it leaves nothing recorded', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(db.orm, { [a]: 5 });
    const order = orderId();
    const failure = db.orm.em.fork().transactional(async (tx) => {
      await createStockService(tx).reserve(order, [{ productId: a, quantity: 2 }]);
      throw new Error('the outbox write failed');
    });
    await expect(failure).rejects.toThrow('the outbox write failed');
    expect(await reservationOf(db.orm, order)).toBeNull();
    expect(await stockOf(db.orm, a)).toEqual({ available: 5, reserved: 0 });
  });

  it.each([
    [
      'an order id that is not a UUID',
      'order-1',
      [{ productId: productIds(1)[0]!, quantity: 1 }],
      ['orderId'],
    ],
    ['no items', orderId(), [], ['items']],
    [
      'a malformed product id and a zero quantity',
      orderId(),
      [
        { productId: 'mug', quantity: 1 },
        { productId: productIds(1)[0]!, quantity: 0 },
      ],
      ['items[0].productId', 'items[1].quantity'],
    ],
    [
      'a fractional quantity',
      orderId(),
      [{ productId: productIds(1)[0]!, quantity: 1.5 }],
      ['items[0].quantity'],
    ],
  ])(
    'refuses %s with BAD_USER_INPUT naming the field, recording nothing',
    async (_, order, items, fields) => {
      const attempt = service().reserve(order, items);
      await expect(attempt).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { fields } });
      if (order.length === 36) expect(await reservationOf(db.orm, order)).toBeNull();
    },
  );

  it('explains what is wrong in the message', async () => {
    await expect(service().reserve('nope', [{ productId: productIds(1)[0]!, quantity: 1 }])).rejects.toThrow(
      'orderId must be an order id (a UUID); got "nope"',
    );
    await expect(
      service().reserve(orderId(), [{ productId: productIds(1)[0]!, quantity: 0 }]),
    ).rejects.toThrow('items[0].quantity must be an integer from 1 to 1000000; got 0');
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { DomainError } from '@supergraph/errors';
import type { TestSubgraph } from '@supergraph/testing';
import type { PlaceOrderInput } from '../src/order-input.ts';
import { Order } from '../src/order.entity.ts';
import { createOrderService } from '../src/order.service.ts';
import type { ProductCatalog } from '../src/product-catalog.ts';
import {
  CUSTOMER,
  fakeCatalog,
  insertOrders,
  item,
  openOrdersDatabase,
  startOrders,
} from './orders-fixture.ts';

// The domain service on its own, on an EntityManager of the test schema, with an in-memory catalog.

const MUG = '00000000-0000-4000-8002-000000000001';
const KETTLE = '00000000-0000-4000-8002-000000000003';
const MACHINE = '00000000-0000-4000-8002-000000000009';
const PRICES = {
  [MUG]: { amount: 1490, currency: 'EUR' },
  [KETTLE]: { amount: 5990, currency: 'EUR' },
  [MACHINE]: { amount: 149900, currency: 'EUR' },
};

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

const serviceWith = (catalog: ProductCatalog) => createOrderService(db.em.fork(), catalog);

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('placeOrder', () => {
  it('refuses an anonymous caller and bad input without asking the catalog', async () => {
    const catalog = fakeCatalog(PRICES);
    const anonymous = await failure(serviceWith(catalog).placeOrder(null, { items: [item(MUG)] }));
    expect(anonymous.code).toBe('UNAUTHENTICATED');
    const invalid = await failure(serviceWith(catalog).placeOrder(CUSTOMER, { items: [item(MUG, 1.5)] }));
    expect(invalid).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'items[0].quantity must be an integer from 1 to 100; got 1.5',
    });
    expect(catalog.calls).toEqual([]);
  });

  it('asks the catalog once for all items, lower-cased, and totals them', async () => {
    const catalog = fakeCatalog(PRICES);
    const order = await serviceWith(catalog).placeOrder(CUSTOMER, {
      items: [item(KETTLE.toUpperCase(), 2), item(MUG, 3)],
    });
    expect(catalog.calls).toEqual([[KETTLE, MUG]]);
    expect(order).toMatchObject({
      status: 'PENDING',
      total: { amount: 2 * 5990 + 3 * 1490, currency: 'EUR' },
    });
  });

  it('refuses a total larger than an order can hold', async () => {
    const catalog = fakeCatalog({ [MACHINE]: { amount: 2_000_000_000, currency: 'EUR' } });
    const error = await failure(serviceWith(catalog).placeOrder(CUSTOMER, { items: [item(MACHINE, 2)] }));
    expect(error).toMatchObject({
      code: 'BAD_USER_INPUT',
      message:
        "the order's total of 4000000000 EUR is more than one order can hold (2147483647); split it into several orders",
    });
  });

  it('answers a retry from Postgres without asking the catalog', async () => {
    const input: PlaceOrderInput = { items: [item(MUG)], idempotencyKey: 'service-retry' };
    const first = await serviceWith(fakeCatalog(PRICES)).placeOrder(CUSTOMER, input);
    const catalog = fakeCatalog(PRICES);
    const again = await serviceWith(catalog).placeOrder(CUSTOMER, input);
    expect(again.id).toBe(first.id);
    expect(catalog.calls).toEqual([]);
  });

  it('returns the winner to every request that raced past the lookup with the same key', async () => {
    const racers = 6;
    let arrived = 0;
    let release!: () => void;
    const allArrived = new Promise<void>((resolve) => (release = resolve));
    // Holds every request at the catalog until all of them have looked the key up and found nothing.
    const prices = fakeCatalog(PRICES);
    const gated: ProductCatalog = {
      priceOf: async (ids) => {
        arrived += 1;
        if (arrived === racers) release();
        await allArrived;
        return prices.priceOf(ids);
      },
    };
    const input: PlaceOrderInput = { items: [item(MUG), item(KETTLE)], idempotencyKey: 'service-race' };
    const placed = await Promise.all(
      Array.from({ length: racers }, () => serviceWith(gated).placeOrder(CUSTOMER, input)),
    );
    expect(arrived).toBe(racers);
    expect(new Set(placed.map((order) => order.id)).size).toBe(1);
    expect(await db.em.fork().count(Order, { idempotencyKey: 'service-race' })).toBe(1);
  });

  it('refuses a racing request with the same key and other items', async () => {
    const key = 'service-race-other-items';
    let release!: () => void;
    const bothArrived = new Promise<void>((resolve) => (release = resolve));
    let arrived = 0;
    const prices = fakeCatalog(PRICES);
    const gated: ProductCatalog = {
      priceOf: async (ids) => {
        if (++arrived === 2) release();
        await bothArrived;
        return prices.priceOf(ids);
      },
    };
    const results = await Promise.allSettled([
      serviceWith(gated).placeOrder(CUSTOMER, { items: [item(MUG)], idempotencyKey: key }),
      serviceWith(gated).placeOrder(CUSTOMER, { items: [item(KETTLE)], idempotencyKey: key }),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await db.em.fork().count(Order, { idempotencyKey: key })).toBe(1);
  });
});

describe('the saga transitions', () => {
  const service = () => serviceWith(fakeCatalog({}));
  const row = (id: string) => db.em.fork().findOneOrFail(Order, { id });

  it('confirm moves PENDING to CONFIRMED once and says whether it changed anything', async () => {
    const [id] = await insertOrders(db, CUSTOMER.userId, 1);
    expect(await service().confirm(id!)).toBe(true);
    const confirmed = await row(id!);
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', cancellationReason: null });
    expect(confirmed.updatedAt.getTime()).toBeGreaterThan(confirmed.createdAt.getTime());
    expect(await service().confirm(id!)).toBe(false);
    expect((await row(id!)).status).toBe('CONFIRMED');
  });

  it('confirm leaves a cancelled order cancelled', async () => {
    const [id] = await insertOrders(db, CUSTOMER.userId, 1);
    expect(await service().cancel(id!, 'Payment declined.')).toBe(true);
    expect(await service().confirm(id!)).toBe(false);
    expect(await row(id!)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Payment declined.' });
  });

  it('cancel takes a PENDING or CONFIRMED order to CANCELLED with the reason, and keeps the first reason', async () => {
    const [pending, confirmed] = await insertOrders(db, CUSTOMER.userId, 2);
    await service().confirm(confirmed!);
    expect(await service().cancel(pending!, 'Out of stock.')).toBe(true);
    expect(await service().cancel(confirmed!, 'Payment declined.')).toBe(true);
    expect(await row(pending!)).toMatchObject({ status: 'CANCELLED', cancellationReason: 'Out of stock.' });
    expect(await row(confirmed!)).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Payment declined.',
    });
    expect(await service().cancel(pending!, 'Something else.')).toBe(false);
    expect((await row(pending!)).cancellationReason).toBe('Out of stock.');
  });

  it('refuses a blank reason', async () => {
    const [id] = await insertOrders(db, CUSTOMER.userId, 1);
    const error = await failure(service().cancel(id!, '  '));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'reason must be 1 to 500 characters' });
    expect((await row(id!)).status).toBe('PENDING');
  });

  it.each(['00000000-0000-4000-8004-999999999999', 'not-an-id'])(
    'answers NOT_FOUND for an order that does not exist: %s',
    async (id) => {
      expect(await failure(service().confirm(id))).toMatchObject({ code: 'NOT_FOUND' });
      expect(await failure(service().cancel(id, 'Out of stock.'))).toMatchObject({ code: 'NOT_FOUND' });
    },
  );
});

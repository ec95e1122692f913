import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { OutboxEvent, type EventEnvelope } from '@supergraph/events';
import type { Identity } from '@supergraph/identity';
import type { TestSubgraph } from '@supergraph/testing';
import { createOrderService } from '../src/order.service.ts';
import { consumerQueue, eventually, insertOrder, outboxOf } from './events-fixture.ts';
import {
  ADMIN,
  CANCEL_ORDER,
  CUSTOMER,
  fakeCatalog,
  item,
  openOrdersDatabase,
  OTHER_CUSTOMER,
  PLACE_ORDER,
  startOrders,
  type OrderView,
} from './orders-fixture.ts';

// What the API writes to its outbox: OrderPlaced with the order, OrderCancelled with a customer's or an
// admin's cancellation, each in the transaction that makes the change; and its relay publishing them.

const MUG = '00000000-0000-4000-8002-000000000001';
const BEANS = '00000000-0000-4000-8002-000000000005';
const TEA = '00000000-0000-4000-8002-000000000007';
const catalog = fakeCatalog({
  [MUG]: { amount: 1490, currency: 'EUR' },
  [BEANS]: { amount: 1190, currency: 'EUR' },
  [TEA]: { amount: 990, currency: 'USD' },
});

let orders: TestSubgraph;
let db: Database;

beforeAll(async () => {
  orders = await startOrders({ catalog });
  db = await openOrdersDatabase(orders);
});

afterAll(async () => {
  await db?.close();
  await orders?.stop();
});

const place = (input: { items: Array<{ productId: string; quantity: number }>; idempotencyKey?: string }) =>
  orders.run<{ placeOrder: OrderView }>(PLACE_ORDER, { variables: { input }, as: CUSTOMER });
const cancel = (id: string, as: Identity) =>
  orders.run<{ cancelOrder: OrderView }>(CANCEL_ORDER, { variables: { id }, as });
const outboxSize = () => db.em.fork().count(OutboxEvent);

describe('OrderPlaced', () => {
  it('is written once with the order, its priced items and its total', async () => {
    const result = await place({ items: [item(MUG, 2), item(BEANS.toUpperCase(), 3)] });
    expect(result.errors).toBeUndefined();
    const order = result.data!.placeOrder;

    const events = await outboxOf(db, order.id);
    expect(events).toEqual([
      {
        id: expect.any(String),
        type: 'OrderPlaced',
        version: 1,
        occurredAt: expect.any(String),
        data: {
          orderId: order.id,
          userId: CUSTOMER.userId,
          items: [
            { productId: MUG, quantity: 2, unitPrice: { amount: 1490, currency: 'EUR' } },
            { productId: BEANS, quantity: 3, unitPrice: { amount: 1190, currency: 'EUR' } },
          ],
          total: { amount: 2 * 1490 + 3 * 1190, currency: 'EUR' },
        },
      },
    ]);
  });

  it('is not written again when a retry with the same key returns the order placed first', async () => {
    const first = await place({ items: [item(MUG)], idempotencyKey: 'checkout-retry' });
    const retry = await place({ items: [item(MUG)], idempotencyKey: 'checkout-retry' });
    expect(retry.data!.placeOrder.id).toBe(first.data!.placeOrder.id);
    expect(await outboxOf(db, first.data!.placeOrder.id)).toHaveLength(1);
  });

  it('is written once when retries with one key race and the unique constraint picks the order', async () => {
    const before = await outboxSize();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => place({ items: [item(BEANS)], idempotencyKey: 'checkout-race' })),
    );
    const ids = new Set(results.map((result) => result.data!.placeOrder.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await outboxOf(db, id!)).toHaveLength(1);
    expect(await outboxSize()).toBe(before + 1);
  });

  it.each([
    ['an unknown product', [item('00000000-0000-4000-8002-0000000000ff')]],
    ['items in two currencies', [item(MUG), item(TEA)]],
  ])('is not written when the order is refused for %s', async (_, items) => {
    const before = await outboxSize();
    const result = await place({ items });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await outboxSize()).toBe(before);
  });
});

describe('OrderCancelled by a customer or an admin', () => {
  it("is written once, with the customer's reason, when a customer cancels a PENDING order", async () => {
    const placed = (await place({ items: [item(MUG, 2)] })).data!.placeOrder;
    const cancelled = await cancel(placed.id, CUSTOMER);
    expect(cancelled.data!.cancelOrder.status).toBe('CANCELLED');

    const events = await outboxOf(db, placed.id);
    expect(events.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderCancelled']);
    expect(events[1]).toEqual({
      id: expect.any(String),
      type: 'OrderCancelled',
      version: 1,
      occurredAt: expect.any(String),
      data: {
        orderId: placed.id,
        userId: CUSTOMER.userId,
        total: { amount: 2980, currency: 'EUR' },
        reason: 'Cancelled by the customer.',
      },
    });
  });

  it("is written with the admin's reason when an admin cancels a CONFIRMED order", async () => {
    const id = await insertOrder(db, { userId: OTHER_CUSTOMER.userId, status: 'CONFIRMED' });
    expect((await cancel(id, ADMIN)).errors).toBeUndefined();
    const events = await outboxOf(db, id);
    expect(events.map((event) => [event.type, (event.data as { reason?: string }).reason])).toEqual([
      ['OrderCancelled', 'Cancelled by an admin.'],
    ]);
  });

  it('is not written again when the order was already cancelled', async () => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId });
    await cancel(id, CUSTOMER);
    const again = await cancel(id, CUSTOMER);
    expect(again.data!.cancelOrder.status).toBe('CANCELLED');
    expect(await outboxOf(db, id)).toHaveLength(1);
  });

  it("is not written when the cancellation is refused (someone else's order)", async () => {
    const id = await insertOrder(db, { userId: OTHER_CUSTOMER.userId });
    const refused = await cancel(id, CUSTOMER);
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await outboxOf(db, id)).toEqual([]);
  });

  it('matches what happened when a customer cancels while the saga confirms', async () => {
    const ids = await Promise.all(
      Array.from({ length: 8 }, () => insertOrder(db, { userId: CUSTOMER.userId })),
    );
    await Promise.all(
      ids.map(async (id) => {
        const [, confirmed] = await Promise.all([
          cancel(id, CUSTOMER),
          createOrderService(db.em.fork(), catalog).confirm(id),
        ]);
        const types = (await outboxOf(db, id)).map((event) => event.type).sort();
        // Confirmed, then cancelled; or cancelled first, and then the confirmation changed nothing.
        expect(types).toEqual(confirmed ? ['OrderCancelled', 'OrderConfirmed'] : ['OrderCancelled']);
      }),
    );
  });
});

describe('the relay', () => {
  it("publishes each event to every consuming domain's queue with job id = event id", async () => {
    const placed = (await place({ items: [item(BEANS)] })).data!.placeOrder;
    await cancel(placed.id, CUSTOMER);
    const [orderPlaced, orderCancelled] = (await outboxOf(db, placed.id)) as [EventEnvelope, EventEnvelope];

    const published: Array<[EventEnvelope, 'inventory' | 'payments' | 'notifications']> = [
      [orderPlaced, 'inventory'],
      [orderCancelled, 'inventory'],
      [orderCancelled, 'payments'],
      [orderCancelled, 'notifications'],
    ];
    for (const [event, consumer] of published) {
      const queue = consumerQueue(consumer, orders.schema.name);
      const job = await eventually(async () => (await queue.getJob(event.id)) ?? undefined);
      await queue.close();
      expect({ id: job.id, name: job.name, data: job.data }).toEqual({
        id: event.id,
        name: event.type,
        data: event,
      });
    }
    const unpublished = await eventually(async () => {
      const count = await db.em.fork().count(OutboxEvent, { publishedAt: null });
      return count === 0 ? count : undefined;
    });
    expect(unpublished).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Queue } from 'bullmq';
import type { Database } from '@supergraph/db';
import {
  listDeadLetters,
  ProcessedEvent,
  replayDeadLetter,
  type EventEnvelope,
  type EventWorker,
} from '@supergraph/events';
import { createTestSchema, testEnv, type TestSchema } from '@supergraph/testing';
import { loadEnv } from '../src/env.ts';
import { Order } from '../src/order.entity.ts';
import { startOrdersWorker } from '../src/worker.ts';
import {
  completed,
  consumerQueue,
  envelope,
  eventually,
  insertOrder,
  obliterateQueues,
  outboxOf,
  REDIS_URL,
} from './events-fixture.ts';
import { CUSTOMER, openOrdersDatabase } from './orders-fixture.ts';

// The orders worker end to end: events put on the orders queue as the relays of inventory and payments
// put them there, handled by the worker process, observed in the orders schema.

const ATTEMPTS = 2;
const BACKOFF_MS = 50;
const MUG = '00000000-0000-4000-8002-000000000001';
const PAYMENT = '00000000-0000-4000-8005-000000000001';
const TOTAL = { amount: 4170, currency: 'EUR' };

let schema: TestSchema;
let worker: EventWorker;
let db: Database;
let queue: Queue;

beforeAll(async () => {
  schema = await createTestSchema('orders');
  worker = await startOrdersWorker(
    loadEnv({ ...testEnv(schema), EVENT_ATTEMPTS: String(ATTEMPTS), EVENT_BACKOFF_MS: String(BACKOFF_MS) }),
  );
  db = await openOrdersDatabase({ schema });
  queue = consumerQueue('orders', schema.name);
});

afterAll(async () => {
  await worker?.stop();
  await queue?.close();
  await obliterateQueues(schema.name);
  await db?.close();
  await schema?.drop();
});

/** Puts an event on the orders queue with the options the relay gives it. */
async function deliver(event: EventEnvelope, jobId = event.id): Promise<void> {
  await queue.add(event.type, event, {
    jobId,
    attempts: ATTEMPTS,
    backoff: { type: 'exponential', delay: BACKOFF_MS },
  });
}

const row = (id: string) => db.em.fork().findOneOrFail(Order, { id });

const inventoryRejected = (orderId: string, reason = 'Stoneware Mug 350 ml: 1 left, 3 asked') =>
  envelope('InventoryRejected', {
    orderId,
    userId: CUSTOMER.userId,
    reason,
    shortages: [{ productId: MUG, requested: 3, available: 1 }],
  });
const paymentAuthorized = (orderId: string) =>
  envelope('PaymentAuthorized', { orderId, userId: CUSTOMER.userId, paymentId: PAYMENT, amount: TOTAL });
const paymentDeclined = (orderId: string, reason = 'insufficient funds') =>
  envelope('PaymentDeclined', { orderId, userId: CUSTOMER.userId, paymentId: PAYMENT, reason });

const cancelledEvent = (orderId: string, reason: string) => ({
  id: expect.any(String),
  type: 'OrderCancelled',
  version: 1,
  occurredAt: expect.any(String),
  data: { orderId, userId: CUSTOMER.userId, total: TOTAL, reason },
});

describe('InventoryRejected', () => {
  it('cancels a PENDING order as out of stock and announces it with OrderCancelled', async () => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId });
    const event = inventoryRejected(id);
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('handled');

    const reason = 'Out of stock: Stoneware Mug 350 ml: 1 left, 3 asked';
    expect(await row(id)).toMatchObject({ status: 'CANCELLED', cancellationReason: reason });
    expect(await outboxOf(db, id)).toEqual([cancelledEvent(id, reason)]);
  });

  it('cuts a reason longer than the order can hold instead of failing', async () => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId });
    const event = inventoryRejected(id, 'x'.repeat(600));
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('handled');
    const { cancellationReason } = await row(id);
    expect(cancellationReason).toHaveLength(500);
    expect(cancellationReason).toMatch(/^Out of stock: x+…$/);
  });

  it('leaves an order cancelled before as it was and announces nothing', async () => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId, status: 'CANCELLED' });
    const before = await row(id);
    const event = inventoryRejected(id);
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('handled');
    expect(await row(id)).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'Cancelled by the customer.',
      updatedAt: before.updatedAt,
    });
    expect(await outboxOf(db, id)).toEqual([]);
  });
});

describe('PaymentAuthorized', () => {
  it('confirms a PENDING order and announces it with OrderConfirmed', async () => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId });
    const event = paymentAuthorized(id);
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('handled');

    expect(await row(id)).toMatchObject({ status: 'CONFIRMED', cancellationReason: null });
    expect(await outboxOf(db, id)).toEqual([
      {
        id: expect.any(String),
        type: 'OrderConfirmed',
        version: 1,
        occurredAt: expect.any(String),
        data: { orderId: id, userId: CUSTOMER.userId, total: TOTAL },
      },
    ]);
  });

  it('leaves a CANCELLED order cancelled and announces nothing (payments refunds on OrderCancelled)', async () => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId, status: 'CANCELLED' });
    const event = paymentAuthorized(id);
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('handled');
    expect((await row(id)).status).toBe('CANCELLED');
    expect(await outboxOf(db, id)).toEqual([]);
  });
});

describe('PaymentDeclined', () => {
  it('cancels a PENDING order with the decline reason and announces it with OrderCancelled', async () => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId });
    const event = paymentDeclined(id);
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('handled');

    const reason = 'Payment declined: insufficient funds';
    expect(await row(id)).toMatchObject({ status: 'CANCELLED', cancellationReason: reason });
    expect(await outboxOf(db, id)).toEqual([cancelledEvent(id, reason)]);
  });
});

describe('the same event delivered again', () => {
  it.each([
    ['InventoryRejected', inventoryRejected, 'OrderCancelled'],
    ['PaymentAuthorized', paymentAuthorized, 'OrderConfirmed'],
    ['PaymentDeclined', paymentDeclined, 'OrderCancelled'],
  ] as const)('%s changes the order once and announces it once', async (_, makeEvent, followUp) => {
    const id = await insertOrder(db, { userId: CUSTOMER.userId });
    const event = makeEvent(id);
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('handled');
    const after = await row(id);

    // The same job id while the first job is kept: BullMQ does not add it again.
    await deliver(event);
    // A new job id for the same event (a relay publishing twice, a replay): the consumer skips it.
    await deliver(event, `${event.id}-again`);
    expect(await completed(queue, `${event.id}-again`)).toBe('duplicate');
    // The same job id after the first job was removed: a new job, skipped all the same.
    await (await queue.getJob(event.id))!.remove();
    await deliver(event);
    expect(await completed(queue, event.id)).toBe('duplicate');

    expect(await row(id)).toMatchObject({
      status: after.status,
      cancellationReason: after.cancellationReason,
      updatedAt: after.updatedAt,
    });
    expect((await outboxOf(db, id)).map((e) => e.type)).toEqual([followUp]);
    expect(await db.em.fork().count(ProcessedEvent, { eventId: event.id })).toBe(1);
  });
});

describe('a handler that fails', () => {
  it('retries, keeps the event as a dead letter after the last attempt, and a replay applies it once', async () => {
    const lateOrder = '00000000-0000-4000-8004-00000000dead';
    const poison = paymentAuthorized(lateOrder);
    await deliver(poison);
    const letter = await eventually(async () =>
      (await listDeadLetters(db.em.fork())).find((dead) => dead.eventId === poison.id),
    );
    expect(letter).toMatchObject({ type: 'PaymentAuthorized', attempts: ATTEMPTS, replayedAt: null });
    expect(letter.error).toContain(`no order has the id ${lateOrder}`);
    expect(await db.em.fork().count(ProcessedEvent, { eventId: poison.id })).toBe(0);

    // Other events keep flowing.
    const healthyId = await insertOrder(db, { userId: CUSTOMER.userId });
    const healthy = paymentAuthorized(healthyId);
    await deliver(healthy);
    expect(await completed(queue, healthy.id)).toBe('handled');
    expect((await row(healthyId)).status).toBe('CONFIRMED');

    // Once what it needs exists, an operator replays it; replaying twice still applies it once.
    await insertOrder(db, { id: lateOrder, userId: CUSTOMER.userId });
    const options = { attempts: ATTEMPTS, backoffMs: BACKOFF_MS, prefix: schema.name };
    expect(await replayDeadLetter(db.em.fork(), 'orders', REDIS_URL, poison.id, options)).toBe(true);
    expect(await replayDeadLetter(db.em.fork(), 'orders', REDIS_URL, poison.id, options)).toBe(true);
    const outcomes = await eventually(async () => {
      const jobs = await queue.getJobs(['completed']);
      const replays = jobs.filter((job) => job.id?.startsWith(`${poison.id}-replay-`));
      return replays.length === 2 ? replays.map((job) => job.returnvalue as string).sort() : undefined;
    });
    expect(outcomes).toEqual(['duplicate', 'handled']);

    expect((await row(lateOrder)).status).toBe('CONFIRMED');
    expect((await outboxOf(db, lateOrder)).map((event) => event.type)).toEqual(['OrderConfirmed']);
    const replayed = (await listDeadLetters(db.em.fork())).find((dead) => dead.eventId === poison.id);
    expect(replayed?.replayedAt).toBeInstanceOf(Date);
  });
});

describe('the worker process', () => {
  it('answers /health and /ready, and reports its queue and jobs in /metrics', async () => {
    expect((await fetch(new URL('/health', worker.url))).status).toBe(200);
    const ready = await fetch(new URL('/ready', worker.url));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { postgres: 'ok', redis: 'ok' } });
    const metrics = await fetch(new URL('/metrics', worker.url)).then((response) => response.text());
    expect(metrics).toMatch(/^event_queue_jobs\{queue="events-orders",state="completed"[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^event_job_duration_seconds_count\{[^}]*type="PaymentAuthorized"[^}]*\} [1-9]/m);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import type { Database } from '@supergraph/db';
import {
  DeadLetter,
  EVENT_CONTRACTS,
  ProcessedEvent,
  queueName,
  replayDeadLetter,
  type EventData,
  type EventEnvelope,
  type EventType,
  type EventWorker,
} from '@supergraph/events';
import { createTestSchema, testEnv, type TestSchema } from '@supergraph/testing';
import { loadEnv, type Env } from '../src/env.ts';
import { createFakePaymentProvider } from '../src/fake-payment-provider.ts';
import { Payment } from '../src/payment.entity.ts';
import { startPaymentsWorker } from '../src/worker.ts';
import {
  CUSTOMER,
  eventually,
  openDatabaseOn,
  orderId,
  outboxFor,
  scriptedProvider,
} from './payments-fixture.ts';

// The payments worker end to end: events are added to its queue the way the relay adds them (job id =
// event id, the envelope recordEvent writes), and the effects are read back from its schema.

const fake = createFakePaymentProvider({ declineAbove: 100_000 });
/** Orders whose authorizations fail, with how many more times they will. */
const failing = new Map<string, number>();
const { provider, requests, refunds } = scriptedProvider(async (request, signal) => {
  const left = failing.get(request.orderId) ?? 0;
  if (left > 0) {
    failing.set(request.orderId, left - 1);
    throw new Error('connect ECONNREFUSED 10.0.0.9:443');
  }
  return fake.authorize(request, signal);
});

let schema: TestSchema;
let env: Env;
let worker: EventWorker;
let orm: Database;
let queue: Queue;
let nextOrder = 1;

beforeAll(async () => {
  schema = await createTestSchema('payments');
  env = loadEnv({ ...testEnv(schema), EVENT_ATTEMPTS: '2', EVENT_BACKOFF_MS: '50' });
  worker = await startPaymentsWorker(env, { provider });
  orm = await openDatabaseOn(schema);
  queue = new Queue(queueName('payments'), {
    connection: { url: env.REDIS_URL },
    prefix: env.EVENT_QUEUE_PREFIX,
  });
});

afterAll(async () => {
  await worker?.stop();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await orm?.close();
  await schema?.drop();
});

/** An event as recordEvent writes it. */
function envelope<T extends EventType>(type: T, data: EventData<T>): EventEnvelope<T> {
  return {
    id: crypto.randomUUID(),
    type,
    version: EVENT_CONTRACTS[type].version,
    occurredAt: new Date().toISOString(),
    data,
  };
}

/** Adds the event to the payments queue as the relay does, under its own id unless told another. */
async function deliver(event: EventEnvelope, jobId = event.id): Promise<string> {
  await queue.add(event.type, event, {
    jobId,
    attempts: env.EVENT_ATTEMPTS,
    backoff: { type: 'exponential', delay: env.EVENT_BACKOFF_MS },
  });
  return jobId;
}

/** Waits for a job to complete and gives what the consumer made of it: handled or duplicate. */
async function outcomeOf(jobId: string): Promise<string> {
  return eventually(async () => {
    // The state first, then the job: a job read first may complete before its state is read and
    // would show no return value.
    expect(await queue.getJobState(jobId)).toBe('completed');
    return (await queue.getJob(jobId))!.returnvalue as string;
  });
}

function inventoryReserved(order: string, amount = 4170) {
  return envelope('InventoryReserved', {
    orderId: order,
    userId: CUSTOMER.userId,
    total: { amount, currency: 'EUR' },
  });
}

function orderCancelled(order: string, amount = 4170) {
  return envelope('OrderCancelled', {
    orderId: order,
    userId: CUSTOMER.userId,
    total: { amount, currency: 'EUR' },
    reason: 'cancelled by the customer',
  });
}

const paymentsOf = (order: string) => orm.em.fork().find(Payment, { orderId: order });
const authorizationsOf = (order: string) => requests.filter((request) => request.orderId === order);
const refundsOf = (order: string) => refunds.filter((request) => request.orderId === order);

describe('the payments worker', () => {
  it('serves /health, /ready and /metrics with the depth of its queue', async () => {
    expect((await fetch(new URL('/health', worker.url))).status).toBe(200);
    expect((await fetch(new URL('/ready', worker.url))).status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', worker.url))).text();
    expect(metrics).toMatch(/^event_queue_jobs\{queue="events-payments",state="waiting",.*\} \d+$/m);
  });

  it('authorizes on InventoryReserved and records PaymentAuthorized with the payment', async () => {
    const order = orderId(nextOrder++);
    const event = inventoryReserved(order, 4170);
    expect(await outcomeOf(await deliver(event))).toBe('handled');

    const [payment, ...others] = await paymentsOf(order);
    expect(others).toEqual([]);
    expect(payment).toMatchObject({
      status: 'AUTHORIZED',
      userId: CUSTOMER.userId,
      amount: { amount: 4170 },
    });
    expect(await outboxFor(orm, order)).toEqual([
      expect.objectContaining({
        type: 'PaymentAuthorized',
        data: {
          orderId: order,
          userId: CUSTOMER.userId,
          paymentId: payment!.id,
          amount: { amount: 4170, currency: 'EUR' },
        },
      }),
    ]);
    expect(await orm.em.fork().count(ProcessedEvent, { eventId: event.id })).toBe(1);
  });

  it('records PaymentDeclined with the reason when the provider declines', async () => {
    const order = orderId(nextOrder++);
    expect(await outcomeOf(await deliver(inventoryReserved(order, 149_900)))).toBe('handled');

    const [payment] = await paymentsOf(order);
    expect(payment).toMatchObject({ status: 'DECLINED' });
    expect(await outboxFor(orm, order)).toEqual([
      expect.objectContaining({
        type: 'PaymentDeclined',
        data: {
          orderId: order,
          userId: CUSTOMER.userId,
          paymentId: payment!.id,
          reason: 'the amount 1499.00 EUR is above the limit of 1000.00 EUR',
        },
      }),
    ]);
  });

  it('has one effect however often InventoryReserved arrives: one payment, one event, one provider call', async () => {
    const order = orderId(nextOrder++);
    const event = inventoryReserved(order);
    const first = await deliver(event);
    expect(await outcomeOf(first)).toBe('handled');

    // The same job id again: BullMQ keeps the job it has and runs nothing.
    const processedOn = (await queue.getJob(first))!.processedOn;
    await deliver(event);
    const kept = (await queue.getJob(first))!;
    expect([await kept.getState(), kept.processedOn]).toEqual(['completed', processedOn]);
    // The same event under a new job id (a replay), and again once the first job is gone.
    expect(await outcomeOf(await deliver(event, `${event.id}-again`))).toBe('duplicate');
    await queue.remove(first);
    expect(await outcomeOf(await deliver(event))).toBe('duplicate');
    // Another event about the same order (inventory announcing it twice): the payment stands.
    expect(await outcomeOf(await deliver(inventoryReserved(order)))).toBe('handled');

    expect(await paymentsOf(order)).toHaveLength(1);
    expect(await outboxFor(orm, order)).toHaveLength(1);
    expect(authorizationsOf(order)).toHaveLength(1);
  });

  it('refunds an authorized payment on OrderCancelled, once even when it is delivered twice', async () => {
    const order = orderId(nextOrder++);
    await outcomeOf(await deliver(inventoryReserved(order, 2500)));

    const cancelled = orderCancelled(order, 2500);
    expect(await outcomeOf(await deliver(cancelled))).toBe('handled');
    expect(await paymentsOf(order)).toEqual([expect.objectContaining({ status: 'REFUNDED' })]);
    expect(refundsOf(order)).toEqual([
      { orderId: order, reference: `fake_auth_${order}`, amount: { amount: 2500, currency: 'EUR' } },
    ]);

    expect(await outcomeOf(await deliver(cancelled, `${cancelled.id}-again`))).toBe('duplicate');
    expect(await outcomeOf(await deliver(orderCancelled(order, 2500)))).toBe('handled');
    expect(refundsOf(order)).toHaveLength(1);
    // A refund announces nothing: the only event is the authorization's.
    expect((await outboxFor(orm, order)).map((event) => event.type)).toEqual(['PaymentAuthorized']);
  });

  it('records no payment and asks no provider for an order cancelled before InventoryReserved arrives', async () => {
    const order = orderId(nextOrder++);
    expect(await outcomeOf(await deliver(orderCancelled(order)))).toBe('handled');
    expect(await outcomeOf(await deliver(inventoryReserved(order)))).toBe('handled');

    expect(await paymentsOf(order)).toEqual([]);
    expect(await outboxFor(orm, order)).toEqual([]);
    expect(authorizationsOf(order)).toEqual([]);
    expect(refundsOf(order)).toEqual([]);
  });

  it('retries when the provider fails, and authorizes once it answers', async () => {
    const order = orderId(nextOrder++);
    failing.set(order, 1);
    expect(await outcomeOf(await deliver(inventoryReserved(order)))).toBe('handled');
    expect(authorizationsOf(order)).toHaveLength(2);
    expect(await paymentsOf(order)).toEqual([expect.objectContaining({ status: 'AUTHORIZED' })]);
    expect(await outboxFor(orm, order)).toHaveLength(1);
  });

  it('makes a dead letter after the last attempt, recording nothing, and a replay then authorizes once', async () => {
    const order = orderId(nextOrder++);
    failing.set(order, env.EVENT_ATTEMPTS);
    const event = inventoryReserved(order);
    await deliver(event);

    const letter = await eventually(async () => {
      const found = await orm.em.fork().findOne(DeadLetter, { eventId: event.id });
      expect(found).not.toBeNull();
      return found!;
    });
    expect(letter).toMatchObject({
      type: 'InventoryReserved',
      attempts: env.EVENT_ATTEMPTS,
      error: expect.stringMatching(/^DomainError: payment provider .*try again shortly$/),
      replayedAt: null,
    });
    expect(authorizationsOf(order)).toHaveLength(env.EVENT_ATTEMPTS);
    expect(await paymentsOf(order)).toEqual([]);
    expect(await outboxFor(orm, order)).toEqual([]);
    expect(await orm.em.fork().count(ProcessedEvent, { eventId: event.id })).toBe(0);

    // The provider is back; an operator replays the event, twice by mistake.
    const options = {
      attempts: env.EVENT_ATTEMPTS,
      backoffMs: env.EVENT_BACKOFF_MS,
      prefix: env.EVENT_QUEUE_PREFIX,
    };
    expect(await replayDeadLetter(orm.em.fork(), 'payments', env.REDIS_URL, event.id, options)).toBe(true);
    await eventually(async () => expect(await paymentsOf(order)).toHaveLength(1));
    expect(await replayDeadLetter(orm.em.fork(), 'payments', env.REDIS_URL, event.id, options)).toBe(true);
    await eventually(async () => {
      const replays = (await queue.getJobs(['completed'])).filter((job) =>
        job.id?.startsWith(`${event.id}-replay-`),
      );
      expect(replays.map((job) => job.returnvalue as string).sort()).toEqual(['duplicate', 'handled']);
    });

    expect(await paymentsOf(order)).toEqual([expect.objectContaining({ status: 'AUTHORIZED' })]);
    expect((await outboxFor(orm, order)).map((recorded) => recorded.type)).toEqual(['PaymentAuthorized']);
    expect(authorizationsOf(order)).toHaveLength(env.EVENT_ATTEMPTS + 1);
    expect((await orm.em.fork().findOneOrFail(DeadLetter, { eventId: event.id })).replayedAt).toBeInstanceOf(
      Date,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import type { Database } from '@supergraph/db';
import { queueName, type Consumer } from '@supergraph/events';
import type { TestSubgraph } from '@supergraph/testing';
import { createFakePaymentProvider } from '../src/fake-payment-provider.ts';
import { guardPaymentProvider } from '../src/guarded-payment-provider.ts';
import { createPaymentService } from '../src/payment.service.ts';
import {
  CUSTOMER,
  eventually,
  openDatabaseOn,
  orderId,
  outboxFor,
  startPayments,
} from './payments-fixture.ts';

// The API process publishes the outbox the worker writes: payments' events reach orders (and
// inventory, for a decline) as jobs whose id is the event's id.

let subgraph: TestSubgraph;
let orm: Database;
let queues: Record<'orders' | 'inventory', Queue>;
const guard = guardPaymentProvider(createFakePaymentProvider({ declineAbove: 100_000 }), {
  timeoutMs: 1000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 10_000,
  volumeThreshold: 5,
});

beforeAll(async () => {
  subgraph = await startPayments({ seed: false, env: { OUTBOX_POLL_MS: '200' } });
  orm = await openDatabaseOn(subgraph.schema);
  const open = (consumer: Consumer) =>
    new Queue(queueName(consumer), {
      connection: { url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
      // testEnv keys a subgraph's queues by its schema.
      prefix: subgraph.schema.name,
    });
  queues = { orders: open('orders'), inventory: open('inventory') };
});

afterAll(async () => {
  guard.shutdown();
  for (const queue of Object.values(queues ?? {})) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await orm?.close();
  await subgraph?.stop();
});

async function authorize(order: string, amount: number) {
  await createPaymentService(orm.em.fork(), guard).authorize({
    orderId: order,
    userId: CUSTOMER.userId,
    amount: { amount, currency: 'EUR' },
  });
  const [event, ...others] = await outboxFor(orm, order);
  expect(others).toEqual([]);
  return event!;
}

/** The job a queue holds under the event's id, once the relay has added it. */
function jobFor(queue: Queue, eventId: string) {
  return eventually(async () => {
    const job = await queue.getJob(eventId);
    expect(job).toBeDefined();
    return job!;
  });
}

describe("the API's outbox relay", () => {
  it('publishes PaymentAuthorized to orders only, with job id = event id', async () => {
    const event = await authorize(orderId(1), 4170);
    const job = await jobFor(queues.orders, event.id);
    expect(job.name).toBe('PaymentAuthorized');
    expect(job.data).toEqual(event);
    expect(job.opts.attempts).toBe(6);
    expect(await queues.inventory.getJob(event.id)).toBeUndefined();
  });

  it('publishes PaymentDeclined to both orders and inventory', async () => {
    const event = await authorize(orderId(2), 149_900);
    expect(event.type).toBe('PaymentDeclined');
    for (const queue of [queues.orders, queues.inventory]) {
      expect((await jobFor(queue, event.id)).data).toEqual(event);
    }
  });
});

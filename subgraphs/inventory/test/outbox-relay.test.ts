import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Queue } from 'bullmq';
import { OutboxEvent, type EventWorker } from '@supergraph/events';
import { testEnv, type TestSubgraph } from '@supergraph/testing';
import { loadEnv } from '../src/env.ts';
import { startInventoryWorker } from '../src/worker.ts';
import { deliver, openQueue, orderPlaced, outboxOf, waitFor } from './event-fixture.ts';
import { orderId, productIds, startInventory, stockUp } from './inventory-fixture.ts';

// The API process and the worker on one schema and one queue prefix, as deployed: the worker writes
// reservation outcomes to the outbox, the API's relay publishes them to the domains they are routed to.
let subgraph: TestSubgraph;
let worker: EventWorker;
let queues: Record<'inventory' | 'payments' | 'orders', Queue>;

beforeAll(async () => {
  subgraph = await startInventory({ seed: false });
  const env = loadEnv(testEnv(subgraph.schema));
  worker = await startInventoryWorker(env);
  const open = (consumer: 'inventory' | 'payments' | 'orders') =>
    openQueue(consumer, env.REDIS_URL, subgraph.schema.name);
  queues = { inventory: open('inventory'), payments: open('payments'), orders: open('orders') };
});

afterAll(async () => {
  await worker?.stop();
  await subgraph?.stop();
  for (const queue of Object.values(queues ?? {})) {
    await queue.obliterate({ force: true });
    await queue.close();
  }
});

/** Waits for the relay to mark the row published, then answers the job it left on `queue`. */
async function published(queue: Queue, eventId: string) {
  await waitFor(`event ${eventId} to be published`, async () => {
    const row = await worker.orm.em.fork().findOne(OutboxEvent, { id: eventId });
    return row?.publishedAt != null;
  });
  return queue.getJob(eventId);
}

describe('the outbox relay of the inventory API', () => {
  it('publishes InventoryReserved to the payments queue with job id = event id', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(worker.orm, { [a]: 3 });
    const order = orderId();

    await deliver(queues.inventory, orderPlaced(order, [[a, 1]]));
    const [event] = await waitFor('InventoryReserved', async () => {
      const events = await outboxOf(worker.orm, order);
      return events.length > 0 && events;
    });

    const job = await published(queues.payments, event!.id);
    expect(job).toMatchObject({ id: event!.id, name: 'InventoryReserved', data: event });
    expect(await queues.orders.getJob(event!.id)).toBeUndefined();
  });

  it('publishes InventoryRejected to the orders queue', async () => {
    const [a] = productIds(1) as [string];
    const order = orderId();

    await deliver(queues.inventory, orderPlaced(order, [[a, 1]]));
    const [event] = await waitFor('InventoryRejected', async () => {
      const events = await outboxOf(worker.orm, order);
      return events.length > 0 && events;
    });

    expect(event!.type).toBe('InventoryRejected');
    const job = await published(queues.orders, event!.id);
    expect(job).toMatchObject({ id: event!.id, name: 'InventoryRejected', data: event });
    expect(await queues.payments.getJob(event!.id)).toBeUndefined();
  });
});

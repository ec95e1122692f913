import { eventually } from '@supergraph/testing';
import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import type { Database } from '@supergraph/db';
import {
  CONSUMERS,
  EVENT_CONTRACTS,
  OutboxEvent,
  queueName,
  type Consumer,
  type EventData,
  type EventEnvelope,
  type EventType,
} from '@supergraph/events';
import { Order } from '../src/order.entity.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export { eventually };

/** An event as another domain's recordEvent writes it, ready to put on the orders queue. */
export function envelope<T extends EventType>(type: T, data: EventData<T>): EventEnvelope<T> {
  return {
    id: randomUUID(),
    type,
    version: EVENT_CONTRACTS[type].version,
    occurredAt: new Date().toISOString(),
    data,
  };
}

/** A consuming domain's queue under the test's prefix, as the relay publishes to it. */
export function consumerQueue(consumer: Consumer, prefix: string): Queue {
  return new Queue(queueName(consumer), { connection: { url: REDIS_URL }, prefix });
}

/** Removes every queue under a test's prefix, so a run leaves nothing behind in the shared Redis. */
export async function obliterateQueues(prefix: string): Promise<void> {
  for (const consumer of CONSUMERS) {
    const queue = consumerQueue(consumer, prefix);
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

/** Resolves once the job has completed, with what the consumer returned ('handled' or 'duplicate'). */
export function completed(queue: Queue, jobId: string): Promise<unknown> {
  return eventually(async () => {
    // The state first, then the job: a job read first may complete before its state is read and
    // would show no return value.
    if ((await queue.getJobState(jobId)) !== 'completed') return undefined;
    const job: Job | undefined = await queue.getJob(jobId);
    return job?.returnvalue as unknown;
  });
}

/** The events the orders outbox holds about one order, oldest first. */
export async function outboxOf(db: Database, orderId: string): Promise<EventEnvelope[]> {
  const rows = await db.em.fork().find(OutboxEvent, {}, { orderBy: { createdAt: 'asc' } });
  return rows
    .map((row) => row.envelope as unknown as EventEnvelope)
    .filter((event) => (event.data as { orderId?: string }).orderId === orderId);
}

/** An order written straight into the schema, as placeOrder would leave it, with the given status. */
export async function insertOrder(
  db: Database,
  options: { id?: string; userId: string; status?: 'PENDING' | 'CONFIRMED' | 'CANCELLED' },
): Promise<string> {
  const em = db.em.fork();
  const status = options.status ?? 'PENDING';
  const order = em.create(Order, {
    ...(options.id ? { id: options.id } : {}),
    userId: options.userId,
    status,
    cancellationReason: status === 'CANCELLED' ? 'Cancelled by the customer.' : null,
    total: { amount: 4170, currency: 'EUR' },
    idempotencyKey: null,
    requestFingerprint: null,
  });
  await em.flush();
  return order.id;
}

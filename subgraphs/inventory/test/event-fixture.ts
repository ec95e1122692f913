import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Database } from '@supergraph/db';
import {
  DeadLetter,
  EVENT_CONTRACTS,
  OutboxEvent,
  queueName,
  type Consumer,
  type DeadLetterRecord,
  type EventData,
  type EventEnvelope,
  type EventType,
} from '@supergraph/events';

export const USER_ID = '00000000-0000-4000-8000-0000000000aa';
export const TOTAL = { amount: 2_500, currency: 'EUR' };
export const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** An envelope exactly as recordEvent builds one (a fresh event id unless given). */
export function envelope<T extends EventType>(
  type: T,
  data: EventData<T>,
  overrides: Partial<EventEnvelope<T>> = {},
): EventEnvelope<T> {
  return {
    id: randomUUID(),
    type,
    version: EVENT_CONTRACTS[type].version,
    occurredAt: new Date().toISOString(),
    traceparent: TRACEPARENT,
    data,
    ...overrides,
  };
}

/** OrderPlaced for the given `[productId, quantity]` lines. */
export function orderPlaced(orderId: string, lines: Array<[string, number]>): EventEnvelope<'OrderPlaced'> {
  return envelope('OrderPlaced', {
    orderId,
    userId: USER_ID,
    items: lines.map(([productId, quantity]) => ({
      productId,
      quantity,
      unitPrice: { amount: 500, currency: 'EUR' },
    })),
    total: TOTAL,
  });
}

/** A producer on a consumer's queue under the test's prefix, as the relay adds to it. */
export function openQueue(consumer: Consumer, redisUrl: string, prefix: string): Queue {
  return new Queue(queueName(consumer), { connection: { url: redisUrl }, prefix });
}

/** Adds an event as the relay does (job name = type); the job id is the event id unless given. */
export async function deliver(queue: Queue, event: EventEnvelope, jobId: string = event.id): Promise<void> {
  await queue.add(event.type, event, {
    jobId,
    attempts: 2,
    backoff: { type: 'exponential', delay: 50 },
  });
}

/** Polls every 50 ms until `probe` gives a value (not null, undefined or false), for up to 10 s. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for a job to finish either way; answers its state and what the consumer returned. */
export async function finished(
  queue: Queue,
  jobId: string,
): Promise<{ state: string; returnvalue: unknown; attemptsMade: number }> {
  return waitFor(`job ${jobId} to finish`, async () => {
    // The state first, then the job: a job read first may finish before its state is read, and
    // would then show the attempts and return value of before it finished.
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return null;
    const job = await queue.getJob(jobId);
    if (!job) return null;
    return { state, returnvalue: job.returnvalue as unknown, attemptsMade: job.attemptsMade };
  });
}

/** The events this schema's outbox holds about an order, oldest first. */
export async function outboxOf(orm: Database, orderId: string): Promise<EventEnvelope[]> {
  const rows = await orm.em.fork().find(OutboxEvent, {}, { orderBy: { createdAt: 'asc' } });
  return rows
    .map((row) => row.envelope as unknown as EventEnvelope)
    .filter((event) => (event.data as { orderId?: string }).orderId === orderId);
}

export async function deadLetterOf(orm: Database, eventId: string): Promise<DeadLetterRecord | null> {
  return orm.em.fork().findOne(DeadLetter, { eventId });
}

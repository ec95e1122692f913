import type { EntityManager } from '@mikro-orm/postgresql';
import { Queue } from 'bullmq';
import { DeadLetter, type DeadLetterRecord } from './entities.ts';
import { producerConnection } from './queues.ts';
import { queueName, type Consumer } from './routing.ts';

/** The events a domain gave up on, newest first; replayed ones are listed until they fail again. */
export function listDeadLetters(em: EntityManager): Promise<DeadLetterRecord[]> {
  return em.find(DeadLetter, {}, { orderBy: { failedAt: 'desc' } });
}

/**
 * Puts a dead event back on its domain's queue under a new job id (the old job may still exist, and
 * BullMQ would ignore the same id). Safe to run twice: the consumer's processed-event record means the
 * effect happens once whatever the number of deliveries. Returns false when there is no such dead letter.
 */
export async function replayDeadLetter(
  em: EntityManager,
  consumer: Consumer,
  redisUrl: string,
  eventId: string,
  options: { attempts: number; backoffMs: number; prefix: string },
): Promise<boolean> {
  const letter = await em.findOne(DeadLetter, { eventId });
  if (!letter) return false;
  const queue = new Queue(queueName(consumer), {
    connection: producerConnection(redisUrl),
    prefix: options.prefix,
  });
  queue.on('error', () => {});
  try {
    await queue.add(letter.type, letter.envelope, {
      jobId: `${eventId}-replay-${crypto.randomUUID()}`,
      attempts: options.attempts,
      backoff: { type: 'exponential', delay: options.backoffMs },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  } finally {
    await queue.close();
  }
  letter.replayedAt = new Date();
  await em.flush();
  return true;
}

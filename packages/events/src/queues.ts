import { Queue, type ConnectionOptions } from 'bullmq';
import { CONSUMERS, queueName, type Consumer } from './routing.ts';

/**
 * BullMQ's production guide for producers: no offline queue, so an add fails at once while Redis is
 * away instead of waiting (the outbox keeps the event; the relay tries again).
 */
export function producerConnection(redisUrl: string): ConnectionOptions {
  return { url: redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3_000 };
}

/** BullMQ's production guide for workers: retry every command forever, reconnect for ever. */
export function workerConnection(redisUrl: string): ConnectionOptions {
  return {
    url: redisUrl,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(1_000 * 2 ** Math.min(times, 5), 20_000),
  };
}

export type ConsumerQueues = Record<Consumer, Queue>;

/** One producer Queue per consuming domain. */
export function openConsumerQueues(redisUrl: string, prefix: string): ConsumerQueues {
  const connection = producerConnection(redisUrl);
  const queues = Object.fromEntries(
    CONSUMERS.map((consumer) => {
      const queue = new Queue(queueName(consumer), { connection, prefix });
      // Reported by /ready and the relay's own retries; without a listener each reconnect would throw.
      queue.on('error', () => {});
      return [consumer, queue];
    }),
  );
  return queues as ConsumerQueues;
}

export async function closeQueues(queues: ConsumerQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}

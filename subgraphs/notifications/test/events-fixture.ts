import { eventually } from '@supergraph/testing';
import { Queue, type Job } from 'bullmq';
import { createEnvelope, queueName, type EventEnvelope } from '@supergraph/events';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BACKOFF_MS = 50;

/** An event as recordEvent writes it to a producer's outbox, and so as the relay enqueues it. */
export const envelope = createEnvelope;

/** The notifications queue under a test's prefix, as the producers' relays see it. */
export function notificationsQueue(prefix: string): Queue {
  return new Queue(queueName('notifications'), { connection: { url: REDIS_URL }, prefix });
}

/** Enqueues an event the way the relay does: job id = event id unless a test delivers it again. */
export function deliver(
  queue: Queue,
  event: EventEnvelope,
  options: { jobId?: string; attempts?: number; backoffMs?: number } = {},
): Promise<Job> {
  return queue.add(event.type, event, {
    jobId: options.jobId ?? event.id,
    attempts: options.attempts ?? 2,
    backoff: { type: 'exponential', delay: options.backoffMs ?? BACKOFF_MS },
  });
}

export { eventually };

/** The job once the worker is done with it: completed (its return value says how) or failed for good. */
export function settled(queue: Queue, jobId: string): Promise<Job> {
  return eventually(async () => {
    // The state first, then the job: a job read before it finished would carry no return value.
    const state = await queue.getJobState(jobId);
    if (state !== 'completed' && state !== 'failed') return undefined;
    return (await queue.getJob(jobId)) ?? undefined;
  });
}

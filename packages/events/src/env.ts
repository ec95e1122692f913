import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();

/**
 * Variables of a domain's event plumbing: its worker process's port (for /health, /ready, /metrics),
 * how a consumer retries, and how often the outbox relay looks when no notification arrives.
 */
export function eventEnv(defaults: { workerPort: number }) {
  return {
    WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(defaults.workerPort),
    EVENT_ATTEMPTS: positiveInt.max(100).default(6),
    EVENT_BACKOFF_MS: positiveInt.default(1_000),
    EVENT_CONCURRENCY: positiveInt.max(100).default(4),
    EVENT_LOCK_MS: positiveInt.min(1_000).default(30_000),
    OUTBOX_POLL_MS: positiveInt.default(1_000),
    /**
     * How soon after publishing an event the relay first checks that every consumer's job finished (and
     * publishes again a job Redis lost); later checks back off with the event's age.
     */
    OUTBOX_DELIVERY_CHECK_MS: positiveInt.min(100).default(5_000),
    /** Redis key prefix of the queues: deployments (or test runs) sharing one Redis keep apart by it. */
    EVENT_QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, - or _')
      .default('supergraph'),
  };
}

export interface EventEnv {
  WORKER_PORT: number;
  EVENT_ATTEMPTS: number;
  EVENT_BACKOFF_MS: number;
  EVENT_CONCURRENCY: number;
  EVENT_LOCK_MS: number;
  OUTBOX_POLL_MS: number;
  OUTBOX_DELIVERY_CHECK_MS: number;
  EVENT_QUEUE_PREFIX: string;
}

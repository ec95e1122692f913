import type { Queue } from 'bullmq';
import { withTimeout } from '@supergraph/resilience';
import type { EventType } from './contracts.ts';
import type { ConsumerQueues } from './queues.ts';
import { jobIdOf } from './redrive.ts';
import { EVENT_ROUTES, type Consumer } from './routing.ts';

/** An outbox row as the relay reads it to publish it. */
export interface OutboxRow {
  id: string;
  type: EventType;
  envelope: Record<string, unknown>;
  redrives: number;
}

type BulkJob = Parameters<Queue['addBulk']>[0][number];

/** Jobs to add, by the queue of the consuming domain. */
export type JobsByConsumer = Map<Consumer, BulkJob[]>;

const ADD_TIMEOUT_MS = 3_000;

/** What BullMQ keeps of a job and how it retries it (the job id is set per job: jobIdOf). */
export function jobOptions(retry: { attempts: number; backoffMs: number }) {
  return {
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/**
 * Adds one job per consumer of the row's event to `jobs` (or only `consumers`): the envelope, the trace
 * it continues, and, for a re-drive, how many times it was re-driven, which tells a consumer that has
 * handled the event before to re-drive what it recorded then.
 */
export function collectJobs(
  jobs: JobsByConsumer,
  row: OutboxRow,
  options: ReturnType<typeof jobOptions>,
  traceparent: string | undefined,
  consumers: readonly Consumer[] = EVENT_ROUTES[row.type] ?? [],
): void {
  const data = {
    ...row.envelope,
    ...(traceparent ? { traceparent } : {}),
    ...(row.redrives > 0 ? { redrive: row.redrives } : {}),
  };
  for (const consumer of consumers) {
    const queued = jobs.get(consumer) ?? [];
    queued.push({ name: row.type, data, opts: { ...options, jobId: jobIdOf(row) } });
    jobs.set(consumer, queued);
  }
}

/**
 * One `addBulk` per queue (one Redis round trip each, not one per event), bounded in time: BullMQ's add
 * waits for ever while Redis is away, and the caller holds outbox rows locked meanwhile.
 */
export function addJobs(queues: ConsumerQueues, jobs: JobsByConsumer, count: number): Promise<unknown> {
  const adds = [...jobs].map(([consumer, queued]) => queues[consumer].addBulk(queued));
  return withTimeout(
    Promise.all(adds),
    ADD_TIMEOUT_MS,
    `enqueueing ${count} events took longer than ${ADD_TIMEOUT_MS} ms`,
  );
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@supergraph/logging';
import { Counter, type Registry } from 'prom-client';
import { addJobs, collectJobs, type JobsByConsumer, type jobOptions, type OutboxRow } from './jobs.ts';
import type { ConsumerQueues } from './queues.ts';
import { jobIdOf, uuidArray } from './redrive.ts';
import { EVENT_ROUTES, queueName, type Consumer } from './routing.ts';

export interface DeliveryCheckOptions {
  schema: string;
  queues: ConsumerQueues;
  jobOptions: ReturnType<typeof jobOptions>;
  /** The first check comes this long after publishing; later ones back off to MAX_CHECK_DELAY. */
  intervalMs: number;
  batchSize: number;
  logger: Logger;
  registry?: Registry;
}

/** A job still waiting (a slow or stopped consumer) is looked at less and less often, up to this. */
const MAX_CHECK_DELAY = '5 minutes';
/** Finished for good: completed, or failed on its last attempt (the consumer kept a dead letter). */
const FINISHED = new Set(['completed', 'failed']);

/**
 * Confirms that what the relay published reached every consumer. Redis is a transport, not the record:
 * without persistence a restart empties it, and a failover to a lagging replica forgets the last jobs
 * added, while the outbox says they were published. So each published row is due for a check shortly
 * after; the check asks each consuming queue for the event's job: finished everywhere, the row is
 * delivered; a job Redis no longer has is added again (same id: the consumer's processed-event record
 * absorbs it should the job have been finished and then trimmed); still queued, the row is checked again
 * later, backing off with its age. Rows are claimed `for update skip locked`, so replicas share the work.
 */
export function createDeliveryCheck(options: DeliveryCheckOptions) {
  const table = `"${options.schema}"."outbox_event"`;
  const republished = new Counter({
    name: 'outbox_events_republished_total',
    help: 'Event jobs published again because their queue had lost them (Redis restarted or failed over)',
    labelNames: ['queue', 'type'] as const,
    registers: options.registry ? [options.registry] : [],
  });

  /** The state of each consumer's job for each row, asked of Redis all at once. */
  async function jobStates(rows: OutboxRow[]): Promise<Array<Array<[Consumer, string]>>> {
    return Promise.all(
      rows.map((row) =>
        Promise.all(
          (EVENT_ROUTES[row.type] ?? []).map(async (consumer): Promise<[Consumer, string]> => [
            consumer,
            await options.queues[consumer].getJobState(jobIdOf(row)),
          ]),
        ),
      ),
    );
  }

  /** Checks one batch of due rows in the caller's transaction; resolves with how many it checked. */
  async function checkDue(em: EntityManager): Promise<number> {
    const due = await em.execute<OutboxRow[]>(
      `select id, type, envelope, redrives from ${table}
       where delivery_check_at <= now() order by delivery_check_at limit ? for update skip locked`,
      [options.batchSize],
    );
    if (due.length === 0) return 0;
    const states = await jobStates(due);
    const delivered: string[] = [];
    const later: string[] = [];
    const lost: JobsByConsumer = new Map();
    let lostCount = 0;
    due.forEach((row, index) => {
      const jobs = states[index] ?? [];
      if (jobs.every(([, state]) => FINISHED.has(state))) return void delivered.push(row.id);
      later.push(row.id);
      const missing = jobs.filter(([, state]) => state === 'unknown').map(([consumer]) => consumer);
      if (missing.length === 0) return;
      const traceparent = typeof row.envelope.traceparent === 'string' ? row.envelope.traceparent : undefined;
      collectJobs(lost, row, options.jobOptions, traceparent, missing);
      lostCount += 1;
      for (const consumer of missing) {
        republished.inc({ queue: queueName(consumer), type: row.type });
        options.logger.warn(
          { eventId: row.id, type: row.type, queue: queueName(consumer), jobId: jobIdOf(row) },
          'event job lost from its queue (Redis lost data); published again from the outbox',
        );
      }
    });
    if (lostCount > 0) await addJobs(options.queues, lost, lostCount);
    if (delivered.length > 0) {
      await em.execute(
        `update ${table} set delivered_at = now(), delivery_check_at = null where id = any(?::uuid[])`,
        [uuidArray(delivered)],
      );
    }
    if (later.length > 0) {
      await em.execute(
        `update ${table} set delivery_check_at = now() + least(
           greatest((now() - published_at) / 2, ? * interval '1 millisecond'), interval '${MAX_CHECK_DELAY}')
         where id = any(?::uuid[])`,
        [options.intervalMs, uuidArray(later)],
      );
    }
    return due.length;
  }

  return { checkDue };
}

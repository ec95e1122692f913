import { Worker, type Job } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { Logger } from '@supergraph/logging';
import { contextFromTraceparent, SERVICE_ATTRIBUTE, SpanKind, withSpan } from '@supergraph/telemetry';
import { Counter, Histogram, type Registry } from 'prom-client';
import { withCause } from './causation.ts';
import { parseEnvelope, type EventEnvelope, type EventType } from './contracts.ts';
import { workerConnection } from './queues.ts';
import { redriveEvents } from './redrive.ts';
import { eventsFor, queueName, workerName, type Consumer } from './routing.ts';

/**
 * What a domain does with each event routed to it. The EntityManager is in the transaction that also
 * records the event as processed: do the effect and record any follow-up event (recordEvent) on it.
 */
export type EventHandlers = {
  [T in EventType]?: (event: EventEnvelope<T>, em: EntityManager) => Promise<void>;
};

export interface ConsumerOptions {
  consumer: Consumer;
  orm: Database;
  redisUrl: string;
  queuePrefix: string;
  handlers: EventHandlers;
  logger: Logger;
  registry?: Registry;
  concurrency?: number;
  /** How long a job's lock lasts without renewal: a killed worker's job is retried after it. */
  lockDurationMs?: number;
}

export interface EventConsumer {
  worker: Worker;
  stop: () => Promise<void>;
}

/**
 * Runs a domain's handlers on its own queue. Each event is handled at most once per domain: its id goes
 * into processed_event in the same transaction as the handler's effect, so a redelivery (a retry, a
 * relay publishing twice, a replay under a new job id) finds it there and does nothing, but for a
 * re-drive, which publishes again what the first handling recorded. A failure rolls
 * the transaction back and BullMQ retries with exponential backoff; the last failed attempt writes a
 * dead letter that an operator can list and replay. Each attempt is a consumer span, a child of the
 * relay's publish span whose `traceparent` the job carries: what the handler logs and the events it
 * records belong to the trace of the request that started it all.
 */
export function startEventConsumer(options: ConsumerOptions): EventConsumer {
  const { consumer, orm, logger } = options;
  const missing = eventsFor(consumer).filter((type) => !options.handlers[type]);
  if (missing.length > 0) throw new Error(`${consumer} has no handler for ${missing.join(', ')}`);

  const registers = options.registry ? [options.registry] : [];
  const duration = new Histogram({
    name: 'event_job_duration_seconds',
    help: 'Time to handle one event job, by type and outcome',
    labelNames: ['queue', 'type', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const deadLetters = new Counter({
    name: 'event_dead_letters_total',
    help: 'Events given up on after their last attempt',
    labelNames: ['queue', 'type'] as const,
    registers,
  });
  const redriven = new Counter({
    name: 'event_redrives_total',
    help: 'Events this domain published again because an event it had handled was re-driven to it',
    labelNames: ['queue', 'type'] as const,
    registers,
  });
  const queue = queueName(consumer);
  const service = workerName(consumer);
  const schema = `"${orm.config.get('schema') ?? 'public'}"`;

  /**
   * An event handled before and now re-driven (a sweeper found its saga stopped, redrive.ts): what this
   * domain recorded when it handled it is published again, so the saga moves on from what was decided
   * then, to wherever it stopped.
   */
  async function redriveConsequences(em: EntityManager, event: EventEnvelope): Promise<void> {
    const events = await redriveEvents(em, { causedBy: event.id });
    for (const followUp of events) {
      redriven.inc({ queue, type: followUp.type });
      logger.info(
        { cause: event.id, causeType: event.type, eventId: followUp.id, type: followUp.type },
        're-driven event handled before: publishing again what it caused',
      );
    }
  }

  async function handle(job: Job): Promise<'handled' | 'duplicate'> {
    const event = parseEnvelope(job.data);
    const handler = options.handlers[event.type] as
      ((event: EventEnvelope, em: EntityManager) => Promise<void>) | undefined;
    if (!handler) throw new Error(`${consumer} does not handle ${event.type}`);
    const redrive = typeof (job.data as { redrive?: unknown }).redrive === 'number';
    return orm.em.fork().transactional(async (em) => {
      const claimed = await em.execute<Array<{ event_id: string }>>(
        `insert into ${schema}.processed_event (event_id, type, processed_at) values (?, ?, now())
         on conflict (event_id) do nothing returning event_id`,
        [event.id, event.type],
      );
      if (claimed.length === 0) {
        if (redrive) await redriveConsequences(em as EntityManager, event);
        return 'duplicate';
      }
      // The events the handler records remember this one as their cause (causation.ts).
      await withCause(event.id, () => handler(event, em as EntityManager));
      return 'handled';
    });
  }

  async function recordDeadLetter(job: Job, error: unknown): Promise<void> {
    const data = (job.data ?? {}) as { id?: unknown; type?: unknown };
    const eventId = typeof data.id === 'string' ? data.id : String(job.id);
    const type = typeof data.type === 'string' ? data.type : job.name;
    await orm.em.fork().execute(
      `insert into ${schema}.dead_letter as letter (event_id, type, envelope, error, attempts, failed_at, replayed_at)
       values (?, ?, ?, ?, ?, now(), null)
       on conflict (event_id) do update set error = excluded.error, attempts = letter.attempts + excluded.attempts,
         failed_at = excluded.failed_at, replayed_at = null`,
      [eventId, type, JSON.stringify(job.data ?? null), describeError(error), job.attemptsMade + 1],
    );
    deadLetters.inc({ queue, type });
  }

  /** The job's attempt as a span continuing the trace the job carries (read before any validation). */
  function inJobSpan<T>(job: Job, work: () => Promise<T>): Promise<T> {
    const data = (job.data ?? {}) as { id?: unknown; traceparent?: unknown };
    const attributes = {
      [SERVICE_ATTRIBUTE]: service,
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': queue,
      'messaging.message.id': typeof data.id === 'string' ? data.id : String(job.id),
      'supergraph.event.type': job.name,
      'supergraph.job.attempt': job.attemptsMade + 1,
    };
    const parent = contextFromTraceparent(
      typeof data.traceparent === 'string' ? data.traceparent : undefined,
    );
    return withSpan(
      '@supergraph/events',
      `process ${job.name}`,
      { kind: SpanKind.CONSUMER, attributes, parent },
      work,
    );
  }

  async function runJob(job: Job): Promise<'handled' | 'duplicate'> {
    const stop = duration.startTimer({ queue, type: job.name });
    try {
      const outcome = await handle(job);
      stop({ outcome });
      return outcome;
    } catch (error) {
      stop({ outcome: 'failed' });
      const attempts = job.opts.attempts ?? 1;
      const last = job.attemptsMade + 1 >= attempts;
      logger.warn(
        { err: error, jobId: job.id, type: job.name, attempt: job.attemptsMade + 1, attempts },
        'event handler failed',
      );
      if (last) {
        await recordDeadLetter(job, error).catch((deadLetterError: unknown) =>
          logger.error({ err: deadLetterError, jobId: job.id }, 'could not record a dead letter'),
        );
      }
      throw error;
    }
  }

  const worker = new Worker(queue, (job) => inJobSpan(job, () => runJob(job)), {
    connection: workerConnection(options.redisUrl),
    prefix: options.queuePrefix,
    concurrency: options.concurrency ?? 4,
    lockDuration: options.lockDurationMs ?? 30_000,
    // A job whose worker died is retried once its lock expires; twice stalled counts as failed.
    stalledInterval: Math.max(1_000, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
    maxStalledCount: 2,
    autorun: true,
  });
  worker.on('error', (error) => logger.warn({ err: error }, `${queue} worker error`));

  return {
    worker,
    stop: async () => {
      // Lets the jobs under way finish (their transactions commit), takes no new ones.
      await worker.close();
    },
  };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

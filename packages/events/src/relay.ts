import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { Logger } from '@supergraph/logging';
import {
  activeTraceparent,
  contextFromTraceparent,
  SERVICE_ATTRIBUTE,
  SpanKind,
  withSpan,
} from '@supergraph/telemetry';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { createDeliveryCheck } from './delivery-check.ts';
import { addJobs, collectJobs, jobOptions, type JobsByConsumer, type OutboxRow } from './jobs.ts';
import { listenForOutbox } from './outbox-listener.ts';
import { closeQueues, openConsumerQueues, type ConsumerQueues } from './queues.ts';
import { EVENT_ROUTES, queueName } from './routing.ts';

export interface RelayOptions {
  /** The process running the relay (the subgraph's API), as its spans name it. */
  service: string;
  orm: Database;
  /** Postgres URL of the schema's role, for the LISTEN connection. */
  databaseUrl: string;
  schema: string;
  redisUrl: string;
  queuePrefix: string;
  logger: Logger;
  registry?: Registry;
  /** How often to look for rows when no NOTIFY arrives (a missed one, another replica's). */
  pollMs?: number;
  /** Attempts and first backoff delay each consumer gets for the job. */
  attempts: number;
  backoffMs: number;
  batchSize?: number;
  /** How soon after publishing, at first, the relay checks that every consumer's job finished. */
  deliveryCheckMs?: number;
}

export interface OutboxRelay {
  /** Publishes what is pending now; resolves with how many events it published. */
  drain: () => Promise<number>;
  /** Checks the deliveries that are due now (delivery-check.ts); resolves with how many it checked. */
  checkDeliveries: () => Promise<number>;
  stop: () => Promise<void>;
}

interface PendingRow extends OutboxRow {
  created_at: Date;
}

const TRACER = '@supergraph/events';

/**
 * Publishes a schema's outbox to BullMQ: each row becomes one job per consuming domain, with job id =
 * event id, and is then marked published, in one transaction that holds the rows with `for update skip
 * locked`, so several replicas share the work and never publish a row at once. If Redis refuses, the
 * transaction rolls back and the rows wait for the next round: nothing is lost, and a row published
 * twice (a crash between the add and the commit) is the same job id, which BullMQ ignores, or at worst a
 * duplicate the consumer's processed-event record absorbs. A NOTIFY from the writing transaction wakes
 * the relay at commit; a short poll covers missed notifications. Publishing an event is a producer span
 * in the trace the event carries, and the jobs carry that span's `traceparent` to the consumers. Once
 * published, an event is checked until every consumer has finished its job, and published again if
 * Redis lost it (delivery-check.ts).
 */
export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { orm, schema, logger } = options;
  const queues: ConsumerQueues = openConsumerQueues(options.redisUrl, options.queuePrefix);
  const table = `"${schema}"."outbox_event"`;
  const batchSize = options.batchSize ?? 100;
  const registers = options.registry ? [options.registry] : [];
  const delay = new Histogram({
    name: 'outbox_publish_delay_seconds',
    help: 'From an event being written to its jobs being enqueued',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  new Gauge({
    name: 'outbox_backlog',
    help: 'Events written but not yet published',
    registers,
    async collect() {
      const [row] = await orm.em
        .fork()
        .execute<Array<{ count: string }>>(
          `select count(*) as count from ${table} where published_at is null`,
        );
      this.set(Number(row?.count ?? 0));
    },
  });
  new Gauge({
    name: 'outbox_undelivered',
    help: 'Events published but not yet finished by every consumer',
    registers,
    async collect() {
      const [row] = await orm.em
        .fork()
        .execute<Array<{ count: string }>>(
          `select count(*) as count from ${table} where delivery_check_at is not null`,
        );
      this.set(Number(row?.count ?? 0));
    },
  });
  new Gauge({
    name: 'outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest event not yet published (0 when none waits)',
    registers,
    async collect() {
      const [row] = await orm.em
        .fork()
        .execute<Array<{ age: number | null }>>(
          `select extract(epoch from now() - min(created_at))::float8 as age from ${table} where published_at is null`,
        );
      this.set(Number(row?.age ?? 0));
    },
  });

  const retry = jobOptions(options);
  const deliveryCheckMs = options.deliveryCheckMs ?? 5_000;
  const deliveries = createDeliveryCheck({
    schema,
    queues,
    jobOptions: retry,
    intervalMs: deliveryCheckMs,
    batchSize,
    logger,
    registry: options.registry,
  });

  function publishSpan(row: PendingRow, recorded: string | undefined) {
    const attributes = {
      [SERVICE_ATTRIBUTE]: options.service,
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'send',
      'messaging.message.id': row.id,
      'supergraph.event.type': row.type,
      'supergraph.queues': (EVENT_ROUTES[row.type] ?? []).map(queueName),
    };
    return { kind: SpanKind.PRODUCER, attributes, parent: contextFromTraceparent(recorded) };
  }

  /**
   * Enqueues the rows' jobs with one `addBulk` per consuming queue (one Redis round trip each, not one
   * per event). Each event still gets its own producer span in the trace it was recorded in, open until
   * its jobs are in Redis, and its jobs carry that span's `traceparent`. A span's callback runs at once
   * (up to its first await), so every job is collected before the bulk adds are sent.
   */
  async function publish(rows: PendingRow[]): Promise<void> {
    const jobs: JobsByConsumer = new Map();
    const enqueued = Promise.withResolvers<undefined>();
    const spans = rows.map((row) => {
      const recorded = typeof row.envelope.traceparent === 'string' ? row.envelope.traceparent : undefined;
      return withSpan(TRACER, `publish ${row.type}`, publishSpan(row, recorded), () => {
        collectJobs(jobs, row, retry, activeTraceparent() ?? recorded);
        return enqueued.promise;
      });
    });
    addJobs(queues, jobs, rows.length).then(() => enqueued.resolve(undefined), enqueued.reject);
    await Promise.all(spans);
  }

  /**
   * Claims a batch and marks it published in one statement, then publishes it, all in one transaction:
   * should Redis refuse, the rollback unmarks the rows, and until the commit their locks keep other
   * replicas (`skip locked`) off them.
   */
  async function publishBatch(em: EntityManager): Promise<number> {
    const claimed = await em.execute<PendingRow[]>(
      `update ${table} set published_at = now(), delivery_check_at = now() + ? * interval '1 millisecond'
       where id in (
         select id from ${table} where published_at is null
         order by created_at limit ? for update skip locked)
       returning id, type, envelope, redrives, created_at`,
      [deliveryCheckMs, batchSize],
    );
    if (claimed.length === 0) return 0;
    const rows = claimed.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
    await publish(rows);
    const now = Date.now();
    for (const row of rows) delay.observe((now - new Date(row.created_at).getTime()) / 1000);
    return rows.length;
  }

  let stopped = false;
  let running: Promise<number> | null = null;
  let again = false;

  async function drainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await orm.em.fork().transactional((em) => publishBatch(em as EntityManager));
      total += published;
      if (published < batchSize) return total;
    }
  }

  /** One drain at a time; a wake-up during a drain runs one more afterwards. */
  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = drainAll()
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'outbox relay could not publish; will retry');
        return 0;
      })
      .finally(() => {
        running = null;
        if (again && !stopped) {
          again = false;
          void drain();
        }
      });
    return running;
  }

  let checking: Promise<number> | null = null;
  async function checkAllDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const checked = await orm.em.fork().transactional((em) => deliveries.checkDue(em as EntityManager));
      total += checked;
      if (checked < batchSize) return total;
    }
  }

  /** One delivery check at a time. */
  function checkDeliveries(): Promise<number> {
    checking ??= checkAllDue()
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'outbox relay could not check deliveries; will retry');
        return 0;
      })
      .finally(() => {
        checking = null;
      });
    return checking;
  }

  const poll = setInterval(() => void drain(), options.pollMs ?? 1_000);
  poll.unref();
  const deliveryTimer = setInterval(() => void checkDeliveries(), deliveryCheckMs);
  deliveryTimer.unref();

  const listener = listenForOutbox({
    databaseUrl: options.databaseUrl,
    schema,
    logger,
    onNotify: () => void drain(),
  });
  void drain();

  return {
    drain,
    checkDeliveries,
    stop: async () => {
      stopped = true;
      clearInterval(poll);
      clearInterval(deliveryTimer);
      await running;
      await checking;
      await listener.stop();
      await closeQueues(queues);
    },
  };
}

/** The variables a subgraph's env gives the relay (its own `serviceEnv` plus `eventEnv`). */
export interface RelayEnv {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
  REDIS_URL: string;
  EVENT_QUEUE_PREFIX: string;
  OUTBOX_POLL_MS: number;
  OUTBOX_DELIVERY_CHECK_MS: number;
  EVENT_ATTEMPTS: number;
  EVENT_BACKOFF_MS: number;
}

/** `startDatabaseSubgraph`'s `background` for a subgraph that emits events: its outbox relay. */
export function outboxRelayFor(env: RelayEnv) {
  return (
    orm: Database,
    tools: { name: string; logger: Logger; metrics: { registry: Registry } },
  ): OutboxRelay =>
    startOutboxRelay({
      service: tools.name,
      orm,
      databaseUrl: env.DATABASE_URL,
      schema: env.DATABASE_SCHEMA,
      redisUrl: env.REDIS_URL,
      queuePrefix: env.EVENT_QUEUE_PREFIX,
      logger: tools.logger,
      registry: tools.metrics.registry,
      pollMs: env.OUTBOX_POLL_MS,
      deliveryCheckMs: env.OUTBOX_DELIVERY_CHECK_MS,
      attempts: env.EVENT_ATTEMPTS,
      backoffMs: env.EVENT_BACKOFF_MS,
    });
}

import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { Logger } from '@supergraph/logging';
import { withTimeout } from '@supergraph/resilience';
import {
  activeTraceparent,
  contextFromTraceparent,
  SERVICE_ATTRIBUTE,
  SpanKind,
  withSpan,
} from '@supergraph/telemetry';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { OUTBOX_CHANNEL } from './outbox.ts';
import { closeQueues, openConsumerQueues, type ConsumerQueues } from './queues.ts';
import { EVENT_ROUTES, queueName } from './routing.ts';
import type { EventType } from './contracts.ts';

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
}

export interface OutboxRelay {
  /** Publishes what is pending now; resolves with how many events it published. */
  drain: () => Promise<number>;
  stop: () => Promise<void>;
}

interface PendingRow {
  id: string;
  type: EventType;
  envelope: Record<string, unknown>;
  created_at: Date;
}

const ADD_TIMEOUT_MS = 3_000;
const TRACER = '@supergraph/events';

/**
 * Publishes a schema's outbox to BullMQ: each row becomes one job per consuming domain, with job id =
 * event id, and is then marked published, in one transaction that holds the rows with `for update skip
 * locked`, so several replicas share the work and never publish a row at once. If Redis refuses, the
 * transaction rolls back and the rows wait for the next round: nothing is lost, and a row published
 * twice (a crash between the add and the commit) is the same job id, which BullMQ ignores, or at worst a
 * duplicate the consumer's processed-event record absorbs. A NOTIFY from the writing transaction wakes
 * the relay at commit; a short poll covers missed notifications. Publishing an event is a producer span
 * in the trace the event carries, and the jobs carry that span's `traceparent` to the consumers.
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

  /** One job per consuming domain, in a span continuing the trace the event was recorded in. */
  function publish(row: PendingRow): Promise<void> {
    const consumers = EVENT_ROUTES[row.type] ?? [];
    const recorded = typeof row.envelope.traceparent === 'string' ? row.envelope.traceparent : undefined;
    const attributes = {
      [SERVICE_ATTRIBUTE]: options.service,
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'send',
      'messaging.message.id': row.id,
      'supergraph.event.type': row.type,
      'supergraph.queues': consumers.map(queueName),
    };
    const span = { kind: SpanKind.PRODUCER, attributes, parent: contextFromTraceparent(recorded) };
    return withSpan(TRACER, `publish ${row.type}`, span, async () => {
      const traceparent = activeTraceparent() ?? recorded;
      const job = { ...row.envelope, ...(traceparent ? { traceparent } : {}) };
      for (const consumer of consumers) {
        await withTimeout(
          queues[consumer].add(row.type, job, {
            jobId: row.id,
            attempts: options.attempts,
            backoff: { type: 'exponential', delay: options.backoffMs },
            removeOnComplete: { age: 24 * 3600, count: 10_000 },
            removeOnFail: { age: 7 * 24 * 3600 },
          }),
          ADD_TIMEOUT_MS,
          `enqueueing ${row.type} ${row.id} for ${consumer} took longer than ${ADD_TIMEOUT_MS} ms`,
        );
      }
    });
  }

  async function publishBatch(em: EntityManager): Promise<number> {
    const rows = await em.execute<PendingRow[]>(
      `select id, type, envelope, created_at from ${table} where published_at is null
       order by created_at limit ? for update skip locked`,
      [batchSize],
    );
    if (rows.length === 0) return 0;
    for (const row of rows) {
      await publish(row);
      delay.observe((Date.now() - new Date(row.created_at).getTime()) / 1000);
    }
    // MikroORM expands an array parameter into a list: `in (?)` becomes `in ('a', 'b')`.
    await em.execute(`update ${table} set published_at = now() where id in (?)`, [rows.map((row) => row.id)]);
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

  const poll = setInterval(() => void drain(), options.pollMs ?? 1_000);
  poll.unref();

  let listener: pg.Client | null = null;
  async function listen(): Promise<void> {
    if (stopped) return;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    client.on('notification', (message) => {
      if (message.payload === schema) void drain();
    });
    client.on('error', (error) => {
      logger.warn({ err: error }, 'outbox relay lost its LISTEN connection; polling until it is back');
      listener = null;
      void client.end().catch(() => {});
      setTimeout(() => void listen().catch(() => {}), 1_000).unref();
    });
    try {
      await client.connect();
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      listener = client;
    } catch (error) {
      logger.warn({ err: error }, 'outbox relay cannot LISTEN; polling only');
      void client.end().catch(() => {});
      setTimeout(() => void listen().catch(() => {}), 1_000).unref();
    }
  }
  void listen();
  void drain();

  return {
    drain,
    stop: async () => {
      stopped = true;
      clearInterval(poll);
      await running;
      await listener?.end().catch(() => {});
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
      attempts: env.EVENT_ATTEMPTS,
      backoffMs: env.EVENT_BACKOFF_MS,
    });
}

import { randomUUID } from 'node:crypto';
import { expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Queue } from 'bullmq';
import pg from 'pg';
import { Registry } from 'prom-client';
import {
  CONSUMERS,
  createEnvelope,
  EVENT_CONTRACTS,
  queueName,
  recordEvent,
  redriveEvents,
  replayDeadLetter,
  startEventConsumer,
  startOutboxRelay,
  type Consumer,
  type EventEnvelope,
  type EventHandlers,
  type EventType,
} from '@supergraph/events';
import { createLogger } from '@supergraph/logging';
import { eventually } from '@supergraph/testing';
import type { PlannedSchema } from './query-plans.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const SILENT = createLogger({ name: 'lookup-indexes', level: 'silent' });

/** One way a subgraph looks rows up, and the indexes that must serve it. */
export interface LookupPath {
  /** As the README's table names it. */
  path: string;
  /**
   * Indexes its statements must read (or decide an upsert by); a list in place of a name is any one of
   * them, for indexes that lead with the same columns and serve the statement alike.
   */
  indexes: Array<string | readonly string[]>;
  run: (em: EntityManager) => Promise<unknown>;
}

/**
 * One test per path: every statement it sends is planned without a sequential scan, and the plans read
 * the path's indexes. Dropping one of them (or a migration that never created it) fails its path.
 */
export function itUsesIndexes(db: () => PlannedSchema, paths: LookupPath[]): void {
  it.each(paths)('$path', async ({ path, indexes, run }) => {
    const plan = await db().plan(run);
    expect(plan.statements.length).toBeGreaterThan(0);
    const missing = indexes.filter((expected) =>
      [expected].flat().every((name) => !plan.indexes.includes(name)),
    );
    expect({ path, seqScans: plan.seqScans, missing, used: plan.indexes }).toEqual({
      path,
      seqScans: [],
      missing: [],
      used: plan.indexes,
    });
  });
}

/** An event as its producer records it, ready for a consumer's handler. */
export const envelope = createEnvelope;

/** Runs a handler as the consumer does: in the transaction that would record the event as processed. */
export function handle<T extends EventType>(
  handlers: EventHandlers,
  em: EntityManager,
  event: EventEnvelope<T>,
): Promise<void> {
  const handler = handlers[event.type] as (event: EventEnvelope<T>, em: EntityManager) => Promise<void>;
  return em.transactional((tx) => handler(event, tx as EntityManager));
}

async function obliterateQueues(prefix: string): Promise<void> {
  for (const consumer of CONSUMERS) {
    const queue = new Queue(queueName(consumer), { connection: { url: REDIS_URL }, prefix });
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
}

const someone = { userId: randomUUID(), email: 'someone@example.com', name: 'Someone' };

/**
 * The real relay publishing one recorded event, and its backlog gauges collected: it reads unpublished
 * rows oldest first, marks them published by id, and counts what waits. Then its delivery check: rows
 * due for one, soonest first, marked (still waiting: no consumer runs here) by id.
 */
async function relayOnce(db: PlannedSchema, em: EntityManager): Promise<void> {
  await em.transactional((tx) => recordEvent(tx as EntityManager, 'UserRegistered', someone));
  const registry = new Registry();
  const relay = startOutboxRelay({
    service: 'lookup-indexes',
    orm: db.orm,
    databaseUrl: db.schema.clientUrl,
    schema: db.schema.name,
    redisUrl: REDIS_URL,
    queuePrefix: db.schema.name,
    logger: SILENT,
    registry,
    pollMs: 60_000,
    // The check runs when asked below, on a row made due on a connection of the test's own.
    deliveryCheckMs: 60_000,
    attempts: 1,
    backoffMs: 100,
  });
  try {
    await relay.drain();
    await registry.metrics();
    await makeDue(db);
    expect(await relay.checkDeliveries()).toBeGreaterThan(0);
  } finally {
    await relay.stop();
    await obliterateQueues(db.schema.name);
  }
}

/** Every published row of the schema due for a delivery check now, on a connection the plan does not see. */
async function makeDue(db: PlannedSchema): Promise<void> {
  const client = new pg.Client({ connectionString: db.schema.clientUrl });
  await client.connect();
  try {
    await client.query(
      `update "${db.schema.name}".outbox_event set delivery_check_at = now() where delivery_check_at is not null`,
    );
  } finally {
    await client.end();
  }
}

/** An event each consumer handles, valid against its contract. */
const CONSUMED: Record<Consumer, () => EventEnvelope> = {
  inventory: () =>
    envelope('OrderCancelled', {
      orderId: randomUUID(),
      userId: someone.userId,
      total: { amount: 100, currency: 'EUR' },
      reason: 'lookup paths',
    }),
  orders: () =>
    envelope('PaymentAuthorized', {
      orderId: randomUUID(),
      userId: someone.userId,
      paymentId: randomUUID(),
      amount: { amount: 100, currency: 'EUR' },
    }),
  payments: () =>
    envelope('OrderCancelled', {
      orderId: randomUUID(),
      userId: someone.userId,
      total: { amount: 100, currency: 'EUR' },
      reason: 'lookup paths',
    }),
  notifications: () => envelope('UserRegistered', someone),
};

/**
 * The real consumer taking two jobs, one handled and one that fails for good, then the operator's
 * replay of the dead letter: the processed-event claim, the dead-letter upsert and its lookup by id.
 * The handlers do nothing; each domain's own handlers are paths of their own.
 */
async function consumeTwice(db: PlannedSchema, em: EntityManager, consumer: Consumer): Promise<void> {
  const handled = CONSUMED[consumer]();
  const failing = CONSUMED[consumer]();
  const handlers: EventHandlers = Object.fromEntries(
    Object.keys(EVENT_CONTRACTS).map((type) => [
      type,
      async (event: EventEnvelope) => {
        if (event.id === failing.id) throw new Error('fails for good');
      },
    ]),
  );
  const prefix = db.schema.name;
  const queue = new Queue(queueName(consumer), { connection: { url: REDIS_URL }, prefix });
  const events = startEventConsumer({
    consumer,
    orm: db.orm,
    redisUrl: REDIS_URL,
    queuePrefix: prefix,
    handlers,
    logger: SILENT,
  });
  try {
    for (const event of [handled, failing]) {
      await queue.add(event.type, event, { jobId: event.id, attempts: 1 });
    }
    await eventually(async () =>
      (await queue.getJobState(handled.id)) === 'completed' &&
      (await queue.getJobState(failing.id)) === 'failed'
        ? true
        : undefined,
    );
    await replayDeadLetter(em, consumer, REDIS_URL, failing.id, { attempts: 1, backoffMs: 100, prefix });
  } finally {
    await events.stop();
    await queue.close();
    await obliterateQueues(prefix);
  }
}

/**
 * A re-drive (redrive.ts): an event the relay published put back in line by its id (a sweeper's), and
 * the events an event caused (a consumer's, when that event is re-driven to it).
 */
async function redriveOnce(em: EntityManager): Promise<void> {
  const cause = await em.transactional((tx) => recordEvent(tx as EntityManager, 'UserRegistered', someone));
  // As the relay leaves it once published.
  const table = `"${em.config.get('schema')}"."outbox_event"`;
  await em.execute(`update ${table} set published_at = now() where id = ?`, [cause.id]);
  await em.transactional(async (tx) => {
    await redriveEvents(tx as EntityManager, { ids: [cause.id], minAgeMs: 0 });
    await redriveEvents(tx as EntityManager, { causedBy: cause.id });
  });
}

/** The event plumbing's lookups in a subgraph's schema: its outbox, and what it consumes if it does. */
export function eventPaths(db: () => PlannedSchema, consumer?: Consumer): LookupPath[] {
  const outbox: LookupPath = {
    path: 'outbox relay: unpublished events oldest first, marked published by id, backlog gauges, delivery check',
    indexes: [
      'outbox_event_published_at_created_at_index',
      'outbox_event_pkey',
      'outbox_event_delivery_check_at_index',
    ],
    run: (em) => relayOnce(db(), em),
  };
  const redrive: LookupPath = {
    path: 'outbox re-drive: events by id, events by their cause',
    indexes: ['outbox_event_pkey', 'outbox_event_caused_by_index'],
    run: redriveOnce,
  };
  if (!consumer) return [outbox, redrive];
  return [
    outbox,
    redrive,
    {
      path: 'event consumer: processed-event claim, dead letter upsert, dead letter replay by event id',
      indexes: ['processed_event_pkey', 'dead_letter_pkey'],
      run: (em) => consumeTwice(db(), em, consumer),
    },
  ];
}

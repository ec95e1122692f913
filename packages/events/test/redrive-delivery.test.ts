import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Queue } from 'bullmq';
import { createLogger } from '@supergraph/logging';
import { Registry } from 'prom-client';
import { startEventConsumer, type EventConsumer } from '../src/consumer.ts';
import type { EventData, EventEnvelope, EventType } from '../src/contracts.ts';
import { recordEvent } from '../src/outbox.ts';
import { producerConnection } from '../src/queues.ts';
import { redriveEvents } from '../src/redrive.ts';
import type { OutboxRelay } from '../src/relay.ts';
import { CONSUMERS, queueName, type Consumer } from '../src/routing.ts';
import { eventsFixture, eventually, REDIS_URL, type EventsFixture } from './events-fixture.ts';

// Redis is a transport, not the record. A job Redis loses is published again from the outbox until
// every consumer has finished it, and a re-driven event makes a consumer that handled it before publish
// again what it recorded then.

const logger = createLogger({ name: 'events-test', level: 'silent' });
const USER = '00000000-0000-4000-8000-000000000002';
const ORDER = '00000000-0000-4000-8000-0000000000d1';
const TOTAL = { amount: 1200, currency: 'EUR' };

let fixture: EventsFixture;
let relay: OutboxRelay;
let notifications: EventConsumer;
let prefix: string;
const registry = new Registry();
const queues = new Map<Consumer, Queue>();

beforeAll(async () => {
  fixture = await eventsFixture();
  prefix = fixture.schema.name;
  relay = fixture.startRelay({
    logger,
    registry,
    pollMs: 200,
    // Checks run when the test asks (checkDeliveries); a row is due as soon as it is published.
    deliveryCheckMs: 60_000,
  });
  // notifications welcomes a user and, as a saga handler would, records a follow-up event.
  notifications = startEventConsumer({
    consumer: 'notifications',
    orm: fixture.orm,
    redisUrl: REDIS_URL,
    queuePrefix: prefix,
    logger,
    handlers: {
      UserRegistered: async (event, em) => {
        await fixture.recordEffect(em, event.id, event.data.email);
        await recordEvent(em as EntityManager, 'OrderConfirmed', {
          orderId: ORDER,
          userId: USER,
          total: TOTAL,
        });
      },
      OrderConfirmed: async () => {},
      OrderCancelled: async () => {},
    },
  });
  for (const consumer of CONSUMERS)
    queues.set(
      consumer,
      new Queue(queueName(consumer), { connection: producerConnection(REDIS_URL), prefix }),
    );
}, 30_000);

afterAll(async () => {
  await notifications?.stop();
  await relay?.stop();
  for (const queue of queues.values()) {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  await fixture?.close();
});

const queue = (consumer: Consumer) => queues.get(consumer)!;

async function record<T extends EventType>(type: T, data: EventData<T>): Promise<EventEnvelope<T>> {
  return fixture.orm.em.fork().transactional((em) => recordEvent(em as EntityManager, type, data));
}

interface OutboxState {
  id: string;
  type: string;
  published: boolean;
  delivered: boolean;
  redrives: number;
  caused_by: string | null;
}

const outbox = () =>
  fixture.query<OutboxState>(
    `select id, type, published_at is not null as published, delivered_at is not null as delivered,
       redrives, caused_by from "${prefix}".outbox_event order by created_at`,
  );

const rowOf = async (id: string) => (await outbox()).find((row) => row.id === id);

/** Resolves with the job's return value once it has completed. */
function completed(consumer: Consumer, jobId: string): Promise<unknown> {
  return eventually(async () => {
    if ((await queue(consumer).getJobState(jobId)) !== 'completed') return undefined;
    return (await queue(consumer).getJob(jobId))?.returnvalue as unknown;
  });
}

/** Makes every published row due for a check now (the relay's own first check is a minute away). */
async function dueNow(): Promise<void> {
  await fixture.query(
    `update "${prefix}".outbox_event set delivery_check_at = now() where delivery_check_at is not null`,
  );
}

/** Runs delivery checks until the row is delivered (a check finds jobs as they finish). */
const delivered = (id: string) =>
  eventually(async () => {
    await dueNow();
    await relay.checkDeliveries();
    return (await rowOf(id))?.delivered ? true : undefined;
  });

describe('delivery check', () => {
  it('marks an event delivered once every consumer has finished its job', async () => {
    const welcome = await record('UserRegistered', { userId: USER, email: 'ann@example.com', name: 'Ann' });
    await completed('notifications', welcome.id);
    await delivered(welcome.id);
    // The follow-up the handler recorded remembers what caused it, and is delivered in turn.
    const followUp = (await outbox()).find((row) => row.caused_by === welcome.id);
    expect(followUp).toMatchObject({ type: 'OrderConfirmed', redrives: 0 });
    await delivered(followUp!.id);
  });

  it('publishes again a job its queue lost, and keeps checking until it is finished', async () => {
    // Inventory's worker is not running: the job waits in its queue, as one does when Redis dies.
    const placed = await record('OrderPlaced', {
      orderId: ORDER,
      userId: USER,
      items: [{ productId: '00000000-0000-4000-8002-000000000001', quantity: 1, unitPrice: TOTAL }],
      total: TOTAL,
    });
    // Published (its row committed) and waiting in inventory's queue.
    await eventually(async () =>
      (await rowOf(placed.id))?.published && (await queue('inventory').getJobState(placed.id)) === 'waiting'
        ? true
        : undefined,
    );
    // Redis loses it (a restart without persistence, a failover to a replica that never had it).
    await queue('inventory').remove(placed.id);
    expect(await queue('inventory').getJobState(placed.id)).toBe('unknown');

    await dueNow();
    await relay.checkDeliveries();
    expect(await queue('inventory').getJobState(placed.id)).toBe('waiting');
    const job = await queue('inventory').getJob(placed.id);
    expect(job?.data).toMatchObject({ id: placed.id, type: 'OrderPlaced', data: placed.data });
    expect(await rowOf(placed.id)).toMatchObject({ published: true, delivered: false });
    expect(await registry.getSingleMetricAsString('outbox_events_republished_total')).toContain(
      'outbox_events_republished_total{queue="events-inventory",type="OrderPlaced"} 1',
    );

    // Still waiting: not delivered, checked again later (backing off), not published yet again.
    await dueNow();
    await relay.checkDeliveries();
    expect(await rowOf(placed.id)).toMatchObject({ delivered: false });
    expect(await registry.getSingleMetricAsString('outbox_events_republished_total')).toContain('} 1');

    // Once inventory's worker has handled it, the event is delivered.
    const inventory = startEventConsumer({
      consumer: 'inventory',
      orm: fixture.orm,
      redisUrl: REDIS_URL,
      queuePrefix: prefix,
      logger,
      handlers: {
        OrderPlaced: async () => {},
        PaymentDeclined: async () => {},
        OrderCancelled: async () => {},
      },
    });
    try {
      await completed('inventory', placed.id);
      await delivered(placed.id);
    } finally {
      await inventory.stop();
    }
  });
});

describe('re-drive', () => {
  it('publishes the event again under a new job id, and the consumer that handled it re-drives what it caused', async () => {
    const welcome = await record('UserRegistered', { userId: USER, email: 'bo@example.com', name: 'Bo' });
    expect(await completed('notifications', welcome.id)).toBe('handled');
    const followUp = await eventually(async () => {
      const row = (await outbox()).find((candidate) => candidate.caused_by === welcome.id);
      return row?.published ? row : undefined;
    });
    await completed('notifications', followUp.id);

    const redriven = await fixture.orm.em
      .fork()
      .transactional((em) => redriveEvents(em as EntityManager, { ids: [welcome.id], minAgeMs: 0 }));
    expect(redriven).toEqual([{ id: welcome.id, type: 'UserRegistered', redrives: 1 }]);

    // The re-drive reaches the consumer under a job id of its own, although the first job is still kept.
    expect(await completed('notifications', `${welcome.id}-redrive-1`)).toBe('duplicate');
    // Handled before: the consumer published again what that handling recorded.
    expect(await completed('notifications', `${followUp.id}-redrive-1`)).toBe('duplicate');
    expect(await rowOf(followUp.id)).toMatchObject({ redrives: 1, published: true });
    const job = await queue('notifications').getJob(`${followUp.id}-redrive-1`);
    expect(job?.data).toMatchObject({ id: followUp.id, type: 'OrderConfirmed', redrive: 1 });
    // And the effect happened once.
    const effects = await fixture.query(`select 1 from "${prefix}".effect where event_id = $1`, [welcome.id]);
    expect(effects).toHaveLength(1);
  });

  it('leaves alone an event published more recently than asked', async () => {
    const welcome = await record('UserRegistered', { userId: USER, email: 'cy@example.com', name: 'Cy' });
    await completed('notifications', welcome.id);
    const redriven = await fixture.orm.em
      .fork()
      .transactional((em) => redriveEvents(em as EntityManager, { ids: [welcome.id], minAgeMs: 60_000 }));
    expect(redriven).toEqual([]);
    expect(await rowOf(welcome.id)).toMatchObject({ redrives: 0 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Queue } from 'bullmq';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createLogger } from '@supergraph/logging';
import { withSpan } from '@supergraph/telemetry';
import { startTelemetry, type Telemetry } from '@supergraph/telemetry/sdk';
import { Registry } from 'prom-client';
import { startEventConsumer, type EventConsumer } from '../src/consumer.ts';
import type { EventEnvelope } from '../src/contracts.ts';
import { recordEvent } from '../src/outbox.ts';
import { producerConnection } from '../src/queues.ts';
import type { OutboxRelay } from '../src/relay.ts';
import { queueName } from '../src/routing.ts';
import { eventsFixture, eventually, REDIS_URL, type EventsFixture } from './events-fixture.ts';

const logger = createLogger({ name: 'events-test', level: 'silent' });
const USER = '00000000-0000-4000-8000-000000000002';

let fixture: EventsFixture;
let relay: OutboxRelay;
let consumer: EventConsumer;
let prefix: string;
const registry = new Registry();
let failFor = new Set<string>();
const spans = new InMemorySpanExporter();
let telemetry: Telemetry;

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'events-test',
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
    instrument: false,
  });
  fixture = await eventsFixture();
  prefix = fixture.schema.name;
  relay = fixture.startRelay({
    logger,
    registry,
    pollMs: 5_000,
  });
  // notifications is the consumer of UserRegistered: the handler writes an `effect` row.
  consumer = startEventConsumer({
    consumer: 'notifications',
    orm: fixture.orm,
    redisUrl: REDIS_URL,
    queuePrefix: prefix,
    logger,
    handlers: {
      UserRegistered: async (event, em) => {
        await fixture.recordEffect(em, event.id, event.data.email);
        if (failFor.has(event.data.email)) throw new Error(`cannot welcome ${event.data.email}`);
        // A follow-up event, as a domain's handler records one in the saga.
        if (event.data.email === 'traced@example.com') {
          await recordEvent(em as EntityManager, 'OrderConfirmed', {
            orderId: '00000000-0000-4000-8000-0000000000c1',
            userId: USER,
            total: { amount: 1200, currency: 'EUR' },
          });
        }
      },
      OrderConfirmed: async () => {},
      OrderCancelled: async () => {},
    },
  });
}, 30_000);

afterAll(async () => {
  await consumer?.stop();
  await relay?.stop();
  const queue = new Queue(queueName('notifications'), { connection: producerConnection(REDIS_URL), prefix });
  await queue.obliterate({ force: true }).catch(() => {});
  await queue.close();
  await fixture?.close();
  await telemetry?.shutdown();
});

async function register(email: string, options: { commit: boolean } = { commit: true }) {
  const fork = fixture.orm.em.fork();
  let envelope: EventEnvelope | undefined;
  await fork
    .transactional(async (em) => {
      envelope = await recordEvent(em as EntityManager, 'UserRegistered', {
        userId: USER,
        email,
        name: 'Casey',
      });
      if (!options.commit) throw new Error('the change failed');
    })
    .catch(() => {});
  return envelope!;
}

const effects = (eventId: string) =>
  fixture.query<{ note: string }>(`select note from "${prefix}".effect where event_id = $1`, [eventId]);

describe('outbox, relay and consumer', () => {
  it('publishes a committed event at once (NOTIFY) and the consumer acts on it once', async () => {
    const event = await register('one@example.com');
    const rows = await eventually(async () => {
      const found = await effects(event.id);
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toEqual([{ note: 'one@example.com' }]);
    const [outbox] = await fixture.query<{ published_at: Date | null }>(
      `select published_at from "${prefix}".outbox_event where id = $1`,
      [event.id],
    );
    expect(outbox?.published_at).not.toBeNull();
  });

  it('writes nothing when the change rolls back', async () => {
    const event = await register('rolled-back@example.com', { commit: false });
    await relay.drain();
    const rows = await fixture.query(`select 1 from "${prefix}".outbox_event where id = $1`, [event.id]);
    expect(rows).toEqual([]);
  });

  it('refuses data that breaks the contract before writing it', async () => {
    await expect(
      fixture.orm.em
        .fork()
        .transactional((em) =>
          recordEvent(em as EntityManager, 'UserRegistered', { userId: 'nope', email: 'x', name: '' }),
        ),
    ).rejects.toThrow(/UserRegistered is invalid: userId: .*email: .*name/);
  });

  it('has one effect when the same event arrives again, under the same or a new job id', async () => {
    const event = await register('twice@example.com');
    await eventually(async () => ((await effects(event.id)).length > 0 ? true : undefined));
    const queue = new Queue(queueName('notifications'), {
      connection: producerConnection(REDIS_URL),
      prefix,
    });
    await queue.add(event.type, event, { jobId: event.id });
    await queue.add(event.type, event, { jobId: `${event.id}-again` });
    const outcome = await eventually(async () => {
      const again = await queue.getJob(`${event.id}-again`);
      return (await again?.getState()) === 'completed' ? again?.returnvalue : undefined;
    });
    expect(outcome).toBe('duplicate');
    await queue.close();
    expect(await effects(event.id)).toHaveLength(1);
  });

  it('after the last attempt the event becomes a dead letter, and its effect is rolled back', async () => {
    failFor = new Set(['poison@example.com']);
    const poison = await register('poison@example.com');
    const healthy = await register('healthy@example.com');
    const letter = await eventually(async () => {
      const [row] = await fixture.query<{ type: string; attempts: number; error: string }>(
        `select type, attempts, error from "${prefix}".dead_letter where event_id = $1`,
        [poison.id],
      );
      return row;
    });
    expect(letter).toEqual({
      type: 'UserRegistered',
      attempts: 2,
      error: 'Error: cannot welcome poison@example.com',
    });
    expect(await effects(poison.id)).toEqual([]);
    await eventually(async () => ((await effects(healthy.id)).length > 0 ? true : undefined));
  });

  it('reports the outbox backlog and the publish delay in metrics', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/outbox_backlog 0/);
    expect(text).toMatch(/outbox_publish_delay_seconds_count [1-9]/);
  });

  it('carries the trace of what recorded an event through the relay and the consumer into the follow-up events', async () => {
    const traceId = await withSpan('test', 'register', {}, async (span) => {
      await register('traced@example.com');
      return span.spanContext().traceId;
    });
    const chain = ['register', 'publish UserRegistered', 'process UserRegistered', 'publish OrderConfirmed'];
    const trace = await eventually(async () => {
      const found = spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      const named = new Map(found.map((span) => [span.name, span]));
      return [...chain, 'process OrderConfirmed'].every((name) => named.has(name)) ? named : undefined;
    });
    const parentName = (span: ReadableSpan | undefined) =>
      [...trace.values()].find((other) => other.spanContext().spanId === span?.parentSpanContext?.spanId)
        ?.name;
    expect(chain.slice(1).map((name) => [name, parentName(trace.get(name))])).toEqual([
      ['publish UserRegistered', 'register'],
      ['process UserRegistered', 'publish UserRegistered'],
      ['publish OrderConfirmed', 'process UserRegistered'],
    ]);
    expect(parentName(trace.get('process OrderConfirmed'))).toBe('publish OrderConfirmed');
    expect(trace.get('process UserRegistered')?.attributes).toMatchObject({
      'supergraph.service': 'notifications-worker',
      'messaging.destination.name': 'events-notifications',
    });
    expect(trace.get('publish UserRegistered')?.attributes).toMatchObject({
      'supergraph.service': 'events-test',
    });
  });
});

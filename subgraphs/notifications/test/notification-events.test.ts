import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Queue } from 'bullmq';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DeadLetter, ProcessedEvent, replayDeadLetter, type EventWorker } from '@supergraph/events';
import { createTestSchema, testEnv, type TestSchema } from '@supergraph/testing';
import { loadEnv } from '../src/env.ts';
import { orderCancelled, orderConfirmed, welcome } from '../src/messages.ts';
import { notificationIdFor } from '../src/notification-id.ts';
import { Notification } from '../src/notification.entity.ts';
import { Recipient } from '../src/recipient.entity.ts';
import { startNotificationsWorker } from '../src/worker.ts';
import {
  BACKOFF_MS,
  deliver,
  envelope,
  eventually,
  notificationsQueue,
  REDIS_URL,
  settled,
} from './events-fixture.ts';
import { recordingTransport, type RecordingTransport } from './notifications-fixture.ts';

// The notifications worker end to end: events enqueued as the producers' relays enqueue them, handled
// by the worker process's composition root, observed in the schema and at the transport.

const TOTAL = { amount: 4170, currency: 'EUR' };

let schema: TestSchema;
let worker: EventWorker;
let queue: Queue;
let transport: RecordingTransport;

beforeAll(async () => {
  schema = await createTestSchema('notifications');
  transport = recordingTransport();
  worker = await startNotificationsWorker(
    loadEnv({ ...testEnv(schema), EVENT_ATTEMPTS: '2', EVENT_BACKOFF_MS: String(BACKOFF_MS) }),
    { transport },
  );
  queue = notificationsQueue(schema.name);
});

afterAll(async () => {
  await worker?.stop();
  expect(transport?.closed).toBe(true);
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await schema?.drop();
});

function em(): EntityManager {
  return worker.orm.em.fork() as EntityManager;
}

function notificationsOf(eventId: string) {
  return em().find(Notification, { eventId });
}

/** What the transport was handed for one address, failed attempts included. */
function callsTo(email: string) {
  return transport.calls.filter((message) => message.to === email);
}

let people = 0;

/** A new user and their UserRegistered, with an address no other test uses. */
function newUser(name = 'Nora Newcomer') {
  people += 1;
  const user = { userId: crypto.randomUUID(), email: `shopper-${people}@shop.example`, name };
  return { ...user, registered: envelope('UserRegistered', user) };
}

/** Registers a user through the worker and waits until they are in the directory. */
async function registered(name?: string) {
  const user = newUser(name);
  await deliver(queue, user.registered);
  expect((await settled(queue, user.registered.id)).returnvalue).toBe('handled');
  return user;
}

describe('UserRegistered', () => {
  it('puts the user in the recipient directory and sends one welcome, recorded as SENT', async () => {
    const user = newUser('Wanda Welcome');
    await deliver(queue, user.registered);

    const job = await settled(queue, user.registered.id);
    expect(job.returnvalue).toBe('handled');
    const recipient = await em().findOneOrFail(Recipient, { userId: user.userId });
    expect({ ...recipient }).toEqual({
      userId: user.userId,
      email: user.email,
      name: 'Wanda Welcome',
      updatedAt: new Date(user.registered.occurredAt),
    });
    const text = welcome({ name: 'Wanda Welcome' });
    const rows = await notificationsOf(user.registered.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: notificationIdFor(user.registered.id, user.userId),
      userId: user.userId,
      recipientEmail: user.email,
      kind: 'WELCOME',
      ...text,
      status: 'SENT',
      attempts: 1,
    });
    expect(callsTo(user.email)).toEqual([
      { to: user.email, subject: text.subject, text: text.body, messageId: rows[0]!.id },
    ]);
    expect(await em().count(ProcessedEvent, { eventId: user.registered.id })).toBe(1);
  });
});

describe('OrderConfirmed', () => {
  it("tells the customer at the directory's address, with the order and its total", async () => {
    const user = await registered();
    const event = envelope('OrderConfirmed', {
      orderId: crypto.randomUUID(),
      userId: user.userId,
      total: TOTAL,
    });
    await deliver(queue, event);

    expect((await settled(queue, event.id)).returnvalue).toBe('handled');
    const text = orderConfirmed({ orderId: event.data.orderId, total: TOTAL });
    expect(text.body).toContain('Total: 41.70 EUR');
    const rows = await notificationsOf(event.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: user.userId, kind: 'ORDER_CONFIRMED', ...text, status: 'SENT' });
    expect(callsTo(user.email)).toEqual([
      expect.objectContaining({ subject: welcome({ name: user.name }).subject }),
      { to: user.email, subject: text.subject, text: text.body, messageId: rows[0]!.id },
    ]);
  });

  it('is retried while the user is unknown, and sent once their UserRegistered arrives', async () => {
    const user = newUser();
    const event = envelope('OrderConfirmed', {
      orderId: crypto.randomUUID(),
      userId: user.userId,
      total: TOTAL,
    });
    // Enough attempts that the retries outlast the registration's arrival.
    await deliver(queue, event, { attempts: 10, backoffMs: 100 });
    const failedOnce = await eventually(async () => {
      const job = await queue.getJob(event.id);
      return job && job.attemptsMade >= 1 ? job : undefined;
    });
    expect(failedOnce.failedReason).toBe(
      `recipient ${user.userId} is unknown: no UserRegistered has arrived for them yet`,
    );
    expect(await notificationsOf(event.id)).toHaveLength(0);

    await deliver(queue, user.registered);

    const job = await settled(queue, event.id);
    expect(job.returnvalue).toBe('handled');
    expect((await notificationsOf(event.id)).map((row) => [row.kind, row.status])).toEqual([
      ['ORDER_CONFIRMED', 'SENT'],
    ]);
    expect(
      callsTo(user.email)
        .map((message) => message.subject)
        .sort(),
    ).toEqual(
      [orderConfirmed({ orderId: event.data.orderId, total: TOTAL }).subject, welcome(user).subject].sort(),
    );
    expect(await em().count(DeadLetter, { eventId: event.id })).toBe(0);
  });

  it('becomes a dead letter when the user stays unknown, and a replay sends it once they are known', async () => {
    const user = newUser();
    const event = envelope('OrderConfirmed', {
      orderId: crypto.randomUUID(),
      userId: user.userId,
      total: TOTAL,
    });
    await deliver(queue, event, { attempts: 2 });

    const job = await settled(queue, event.id);
    expect(await job.getState()).toBe('failed');
    const letter = await eventually(
      async () => (await em().findOne(DeadLetter, { eventId: event.id })) ?? undefined,
    );
    expect(letter).toMatchObject({
      type: 'OrderConfirmed',
      envelope: event,
      error: `UnknownRecipientError: recipient ${user.userId} is unknown: no UserRegistered has arrived for them yet`,
      attempts: 2,
      replayedAt: null,
    });
    expect(await notificationsOf(event.id)).toHaveLength(0);
    expect(await em().count(ProcessedEvent, { eventId: event.id })).toBe(0);

    await deliver(queue, user.registered);
    expect((await settled(queue, user.registered.id)).returnvalue).toBe('handled');
    const replayOptions = { attempts: 2, backoffMs: BACKOFF_MS, prefix: schema.name };
    expect(await replayDeadLetter(em(), 'notifications', REDIS_URL, event.id, replayOptions)).toBe(true);

    const sent = await eventually(async () => {
      const [row] = await notificationsOf(event.id);
      return row?.status === 'SENT' ? row : undefined;
    });
    expect(sent.kind).toBe('ORDER_CONFIRMED');
    expect((await em().findOneOrFail(DeadLetter, { eventId: event.id })).replayedAt).toBeInstanceOf(Date);
    expect(callsTo(user.email).filter((message) => message.messageId === sent.id)).toHaveLength(1);
  });
});

describe('OrderCancelled', () => {
  it('tells the customer the order was cancelled, and why', async () => {
    const user = await registered();
    const reason = 'payment declined: insufficient funds';
    const event = envelope('OrderCancelled', {
      orderId: crypto.randomUUID(),
      userId: user.userId,
      total: TOTAL,
      reason,
    });
    await deliver(queue, event);

    expect((await settled(queue, event.id)).returnvalue).toBe('handled');
    const text = orderCancelled({ orderId: event.data.orderId, reason });
    expect(text.body).toContain(`Reason: ${reason}`);
    const rows = await notificationsOf(event.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId: user.userId, kind: 'ORDER_CANCELLED', ...text, status: 'SENT' });
    expect(callsTo(user.email).slice(1)).toEqual([
      { to: user.email, subject: text.subject, text: text.body, messageId: rows[0]!.id },
    ]);
  });
});

describe('an event delivered more than once', () => {
  it('has one effect: again under its job id, under a new job id, and after its first job was removed', async () => {
    const user = await registered();
    const event = envelope('OrderConfirmed', {
      orderId: crypto.randomUUID(),
      userId: user.userId,
      total: TOTAL,
    });
    await deliver(queue, event);
    expect((await settled(queue, event.id)).returnvalue).toBe('handled');

    // The same job id while the job is kept: BullMQ ignores the add.
    await deliver(queue, event);
    // A new job id (a relay that published twice, a replay): the processed-event record absorbs it.
    const again = `${event.id}-again`;
    await deliver(queue, event, { jobId: again });
    expect((await settled(queue, again)).returnvalue).toBe('duplicate');
    // The first job gone (removed on completion in production): the same id is a new job.
    await (await queue.getJob(event.id))!.remove();
    await deliver(queue, event);
    expect((await settled(queue, event.id)).returnvalue).toBe('duplicate');

    expect(await notificationsOf(event.id)).toHaveLength(1);
    expect(callsTo(user.email).filter((message) => message.subject.startsWith('Your order'))).toHaveLength(1);
    expect(await em().count(ProcessedEvent, { eventId: event.id })).toBe(1);
  });

  it('sends once when deliveries under several job ids run at the same time', async () => {
    const user = newUser();
    const jobIds = Array.from({ length: 6 }, (_, index) => `${user.registered.id}-${index}`);
    await Promise.all(jobIds.map((jobId) => deliver(queue, user.registered, { jobId })));

    const jobs = await Promise.all(jobIds.map((jobId) => settled(queue, jobId)));
    expect(jobs.map((job) => job.returnvalue).sort()).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'handled',
    ]);
    expect(await notificationsOf(user.registered.id)).toHaveLength(1);
    expect(callsTo(user.email)).toHaveLength(1);
  });

  it('keeps the newer address when an older UserRegistered arrives late', async () => {
    const user = await registered();
    const stale = {
      ...envelope('UserRegistered', { userId: user.userId, email: 'old-address@shop.example', name: 'Old' }),
      occurredAt: new Date(Date.parse(user.registered.occurredAt) - 60_000).toISOString(),
    };
    await deliver(queue, stale);

    expect((await settled(queue, stale.id)).returnvalue).toBe('handled');
    expect(await em().findOneOrFail(Recipient, { userId: user.userId })).toMatchObject({
      email: user.email,
      name: user.name,
    });
  });
});

describe('a transport that fails', () => {
  it('is retried, the event then becomes a dead letter with nothing half done, and a replay sends it once', async () => {
    const user = newUser();
    const event = user.registered;
    transport.failures = 2;
    await deliver(queue, event, { attempts: 2 });

    expect(await (await settled(queue, event.id)).getState()).toBe('failed');
    const letter = await eventually(
      async () => (await em().findOne(DeadLetter, { eventId: event.id })) ?? undefined,
    );
    expect(letter).toMatchObject({ error: 'Error: connection refused by smtp.test', attempts: 2 });
    const messageId = notificationIdFor(event.id, user.userId);
    // Both attempts reached the transport, under the one Message-ID; each rolled back entirely.
    expect(callsTo(user.email).map((message) => message.messageId)).toEqual([messageId, messageId]);
    expect(transport.sent.filter((message) => message.to === user.email)).toHaveLength(0);
    expect(await notificationsOf(event.id)).toHaveLength(0);
    expect(await em().count(Recipient, { userId: user.userId })).toBe(0);
    expect(await em().count(ProcessedEvent, { eventId: event.id })).toBe(0);

    const replayOptions = { attempts: 2, backoffMs: BACKOFF_MS, prefix: schema.name };
    expect(await replayDeadLetter(em(), 'notifications', REDIS_URL, event.id, replayOptions)).toBe(true);
    await eventually(async () =>
      (await notificationsOf(event.id))[0]?.status === 'SENT' ? true : undefined,
    );
    // A second replay of the same dead letter is a duplicate.
    expect(await replayDeadLetter(em(), 'notifications', REDIS_URL, event.id, replayOptions)).toBe(true);
    await eventually(async () => {
      const jobs = await queue.getJobs(['completed']);
      const replays = jobs.filter((job) => job.id?.startsWith(`${event.id}-replay-`));
      return replays.length === 2 ? replays : undefined;
    });

    expect(transport.sent.filter((message) => message.to === user.email)).toEqual([
      expect.objectContaining({ messageId, subject: welcome(user).subject }),
    ]);
    expect(await notificationsOf(event.id)).toEqual([
      expect.objectContaining({ id: messageId, status: 'SENT', attempts: 1, lastError: null }),
    ]);
    expect(await em().count(Recipient, { userId: user.userId })).toBe(1);
  });
});

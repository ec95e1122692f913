import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import { orderConfirmed } from '../src/messages.ts';
import { notificationIdFor } from '../src/notification-id.ts';
import { Notification } from '../src/notification.entity.ts';
import { createNotificationService, type NotifyInput } from '../src/notification.service.ts';
import type { NotificationTransport } from '../src/notification-transport.ts';
import { eventually } from './events-fixture.ts';
import { CUSTOMER, openTestDatabase, recordingTransport } from './notifications-fixture.ts';

// The events worker calls notify on the transaction that also records the event as processed. These
// pin down what that means for the record, the claim and the SENT mark.

let orm: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, close } = await openTestDatabase());
});

afterAll(async () => {
  await close?.();
});

function input(): NotifyInput {
  return {
    eventId: crypto.randomUUID(),
    userId: CUSTOMER.userId,
    email: 'customer@shop.example',
    kind: 'ORDER_CONFIRMED',
    ...orderConfirmed({
      orderId: '00000000-0000-4000-8004-000000000001',
      total: { amount: 4170, currency: 'EUR' },
    }),
  };
}

/** Read on a connection of its own: what other transactions see. */
function rowsOf(eventId: string) {
  return orm.em.fork().find(Notification, { eventId });
}

/** A transaction, like the consumer's, that notifies and then does `after` before it commits. */
function inTransaction(
  transport: NotificationTransport,
  request: NotifyInput,
  after: (em: EntityManager) => Promise<void> = async () => {},
) {
  return orm.em.fork().transactional(async (em) => {
    const notification = await createNotificationService(em as EntityManager, transport).notify(request);
    await after(em as EntityManager);
    return notification;
  });
}

describe("notify inside the caller's transaction", () => {
  it('commits with the caller: nothing is visible before the commit, one SENT notification after it', async () => {
    const transport = recordingTransport();
    const request = input();

    const notification = await inTransaction(transport, request, async () => {
      expect(await rowsOf(request.eventId)).toHaveLength(0);
    });

    const id = notificationIdFor(request.eventId, request.userId);
    expect(notification).toMatchObject({ id, status: 'SENT' });
    expect(await rowsOf(request.eventId)).toEqual([
      expect.objectContaining({ id, status: 'SENT', attempts: 1, claimToken: null }),
    ]);
    expect(transport.sent.map((message) => message.messageId)).toEqual([id]);
  });

  it('rolls back with the caller, and the retry sends again under the same Message-ID', async () => {
    const transport = recordingTransport();
    const request = input();

    await expect(
      inTransaction(transport, request, async () => {
        throw new Error('the handler failed after the send');
      }),
    ).rejects.toThrow('the handler failed after the send');
    expect(await rowsOf(request.eventId)).toHaveLength(0);

    await inTransaction(transport, request);
    const id = notificationIdFor(request.eventId, request.userId);
    expect(transport.sent.map((message) => message.messageId)).toEqual([id, id]);
    expect(await rowsOf(request.eventId)).toEqual([expect.objectContaining({ id, status: 'SENT' })]);
  });

  it('leaves no FAILED notification when the send fails: the rollback takes it, the retry starts afresh', async () => {
    const transport = recordingTransport();
    transport.failures = 1;
    const request = input();

    await expect(inTransaction(transport, request)).rejects.toThrow('connection refused by smtp.test');
    expect(await rowsOf(request.eventId)).toHaveLength(0);

    await expect(inTransaction(transport, request)).resolves.toMatchObject({ status: 'SENT', attempts: 1 });
    expect(transport.calls).toHaveLength(2);
    expect(transport.sent).toHaveLength(1);
  });

  it('makes a concurrent delivery wait for the first to commit, then send nothing', async () => {
    const transport = recordingTransport(200);
    const request = input();

    const first = inTransaction(transport, request);
    // The first holds the record (and is at the transport) before the second starts.
    await eventually(async () => (transport.calls.length === 1 ? true : undefined));
    const second = inTransaction(transport, request);

    const [a, b] = await Promise.all([first, second]);
    expect(transport.calls).toHaveLength(1);
    expect(a).toMatchObject({ status: 'SENT' });
    expect(b).toMatchObject({ id: a.id, status: 'SENT', sentAt: a.sentAt });
  });

  it('lets a concurrent delivery send when the first rolls back', async () => {
    const transport = recordingTransport(200);
    const request = input();

    const first = inTransaction(transport, request, async () => {
      throw new Error('the first handler failed after the send');
    });
    // The first holds the record (and is at the transport) before the second starts.
    await eventually(async () => (transport.calls.length === 1 ? true : undefined));
    const second = inTransaction(transport, request);

    await expect(first).rejects.toThrow('the first handler failed after the send');
    await expect(second).resolves.toMatchObject({ status: 'SENT' });
    const id = notificationIdFor(request.eventId, request.userId);
    expect(transport.sent.map((message) => message.messageId)).toEqual([id, id]);
    expect(await rowsOf(request.eventId)).toEqual([expect.objectContaining({ id, status: 'SENT' })]);
  });
});

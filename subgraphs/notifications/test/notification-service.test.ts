import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { orderConfirmed } from '../src/messages.ts';
import { Notification } from '../src/notification.entity.ts';
import {
  createNotificationService,
  NotificationInFlightError,
  type NotifyInput,
} from '../src/notification.service.ts';
import type { NotificationTransport } from '../src/notification-transport.ts';
import { CUSTOMER, OTHER_CUSTOMER, openTestDatabase, recordingTransport } from './notifications-fixture.ts';

let orm: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, close } = await openTestDatabase());
});

afterAll(async () => {
  await close?.();
});

function input(overrides: Partial<NotifyInput> = {}): NotifyInput {
  return {
    eventId: crypto.randomUUID(),
    userId: CUSTOMER.userId,
    email: 'customer@shop.example',
    kind: 'ORDER_CONFIRMED',
    ...orderConfirmed({
      orderId: '00000000-0000-4000-8004-000000000001',
      total: { amount: 4170, currency: 'EUR' },
    }),
    ...overrides,
  };
}

function rowsOf(eventId: string) {
  return orm.em.fork().find(Notification, { eventId }, { orderBy: { userId: 'asc' } });
}

describe('notify', () => {
  it('records the notification, sends it once and marks it SENT', async () => {
    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport);
    const request = input();

    const notification = await service.notify(request);

    expect(transport.sent).toEqual([
      {
        to: 'customer@shop.example',
        subject: request.subject,
        text: request.body,
        messageId: notification.id,
      },
    ]);
    const rows = await rowsOf(request.eventId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: notification.id,
      eventId: request.eventId,
      userId: CUSTOMER.userId,
      recipientEmail: 'customer@shop.example',
      kind: 'ORDER_CONFIRMED',
      subject: 'Your order is confirmed: 41.70 EUR',
      body: request.body,
      status: 'SENT',
      attempts: 1,
      lastError: null,
      claimToken: null,
      claimExpiresAt: null,
    });
    expect(rows[0]!.sentAt!.getTime()).toBeGreaterThanOrEqual(rows[0]!.createdAt.getTime());
    expect(notification).toMatchObject({ status: 'SENT', sentAt: rows[0]!.sentAt });
  });

  it('sends an event delivered twice once, and returns the sent notification the second time', async () => {
    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport);
    const request = input();

    const first = await service.notify(request);
    const second = await service.notify(request);

    expect(transport.calls).toHaveLength(1);
    expect(second).toMatchObject({ id: first.id, status: 'SENT', sentAt: first.sentAt, attempts: 1 });
    expect(await rowsOf(request.eventId)).toHaveLength(1);
  });

  it('keeps what was first recorded: a redelivery with other text sends nothing', async () => {
    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport);
    const request = input();
    await service.notify(request);

    const again = await service.notify({
      ...request,
      subject: 'Another subject',
      email: 'else@shop.example',
    });

    expect(transport.calls).toHaveLength(1);
    expect(again).toMatchObject({ subject: request.subject, recipientEmail: 'customer@shop.example' });
  });

  it('treats an id in upper case as the same event and user', async () => {
    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport);
    const request = input();
    await service.notify(request);
    await service.notify({
      ...request,
      eventId: request.eventId.toUpperCase(),
      userId: CUSTOMER.userId.toUpperCase(),
    });
    expect(transport.calls).toHaveLength(1);
    expect(await rowsOf(request.eventId)).toHaveLength(1);
  });

  it('sends once when 10 deliveries of one event race, and every other caller is told to retry or gets it SENT', async () => {
    // A slow send, so the other nine arrive while the first holds the claim.
    const transport = recordingTransport(200);
    const service = createNotificationService(orm.em.fork(), transport);
    const request = input();

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => service.notify(request)));

    expect(transport.calls).toHaveLength(1);
    const rows = await rowsOf(request.eventId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'SENT', attempts: 1 });
    for (const result of results) {
      if (result.status === 'fulfilled') {
        expect(result.value).toMatchObject({ id: rows[0]!.id, status: 'SENT' });
      } else {
        expect(result.reason).toBeInstanceOf(NotificationInFlightError);
        expect((result.reason as Error).message).toBe(
          `notification ${rows[0]!.id} is being sent by another worker; retry later`,
        );
      }
    }
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(results.filter((result) => result.status === 'rejected').length).toBeGreaterThanOrEqual(1);

    // The callers told to retry find it sent, and send nothing.
    await expect(service.notify(request)).resolves.toMatchObject({ status: 'SENT' });
    expect(transport.calls).toHaveLength(1);
  });

  it('marks a failed send FAILED and rethrows; the next delivery sends it, under the same Message-ID', async () => {
    const transport = recordingTransport();
    transport.failures = 1;
    const service = createNotificationService(orm.em.fork(), transport);
    const request = input();

    await expect(service.notify(request)).rejects.toThrow('connection refused by smtp.test');
    const [failed] = await rowsOf(request.eventId);
    expect(failed).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastError: 'Error: connection refused by smtp.test',
      sentAt: null,
      claimToken: null,
    });
    expect(transport.sent).toHaveLength(0);

    const retried = await service.notify(request);
    expect(retried).toMatchObject({ id: failed!.id, status: 'SENT', attempts: 2 });
    const [sent] = await rowsOf(request.eventId);
    expect(sent).toMatchObject({
      status: 'SENT',
      attempts: 2,
      lastError: 'Error: connection refused by smtp.test',
    });
    expect(sent!.sentAt).toBeInstanceOf(Date);

    expect(transport.sent).toHaveLength(1);
    expect(transport.calls.map((call) => call.messageId)).toEqual([failed!.id, failed!.id]);

    await service.notify(request);
    expect(transport.calls).toHaveLength(2);
  });

  it('notifies each user of one event once', async () => {
    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport);
    const eventId = crypto.randomUUID();

    await Promise.all([
      service.notify(input({ eventId, userId: CUSTOMER.userId, email: 'customer@shop.example' })),
      service.notify(input({ eventId, userId: OTHER_CUSTOMER.userId, email: 'other@shop.example' })),
    ]);
    await service.notify(input({ eventId, userId: OTHER_CUSTOMER.userId, email: 'other@shop.example' }));

    const rows = await rowsOf(eventId);
    expect(rows.map((row) => [row.userId, row.recipientEmail, row.status])).toEqual([
      [CUSTOMER.userId, 'customer@shop.example', 'SENT'],
      [OTHER_CUSTOMER.userId, 'other@shop.example', 'SENT'],
    ]);
    expect(transport.sent.map((message) => message.to).sort()).toEqual([
      'customer@shop.example',
      'other@shop.example',
    ]);
  });

  it("takes over a crashed sender's notification once its claim expires, and the late sender does not undo it", async () => {
    let release: () => void = () => {};
    const stuck: NotificationTransport = {
      send: () => new Promise<void>((resolve) => (release = resolve)),
      close: async () => {},
    };
    const crashed = createNotificationService(orm.em.fork(), stuck, { claimTimeoutMs: 300 });
    const request = input();
    const hanging = crashed.notify(request);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport, { claimTimeoutMs: 300 });
    await expect(service.notify(request)).rejects.toBeInstanceOf(NotificationInFlightError);
    expect(transport.calls).toHaveLength(0);

    await new Promise((resolve) => setTimeout(resolve, 400));
    const takenOver = await service.notify(request);
    expect(takenOver).toMatchObject({ status: 'SENT', attempts: 2 });
    expect(transport.sent).toHaveLength(1);

    release();
    await expect(hanging).resolves.toMatchObject({
      id: takenOver.id,
      status: 'SENT',
      sentAt: takenOver.sentAt,
    });
    const [row] = await rowsOf(request.eventId);
    expect(row).toMatchObject({ status: 'SENT', sentAt: takenOver.sentAt, claimToken: null });
  });
});

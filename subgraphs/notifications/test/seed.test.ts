import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { orderConfirmed, welcome } from '../src/messages.ts';
import { Notification } from '../src/notification.entity.ts';
import { createRecipientDirectory } from '../src/recipient-directory.ts';
import { Recipient } from '../src/recipient.entity.ts';
import {
  seed,
  SEED_EVENT_IDS,
  SEED_NOTIFICATION_IDS,
  SEED_NOTIFICATIONS,
  seedNotifications,
  seedRecipients,
} from '../src/seed.ts';
import { openTestDatabase } from './notifications-fixture.ts';

let orm: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, close } = await openTestDatabase());
});

afterAll(async () => {
  await close?.();
});

describe('the demo notifications', () => {
  it('inserts the welcomes and the past order confirmation as sent, with the templates texts', async () => {
    expect(await seedNotifications(orm.em.fork())).toBe(3);

    const rows = await orm.em.fork().find(Notification, {}, { orderBy: { createdAt: 'asc' } });
    const welcomeCasey = welcome({ name: 'Casey Customer' });
    const confirmed = orderConfirmed({
      orderId: '00000000-0000-4000-8004-000000000001',
      total: { amount: 4170, currency: 'EUR' },
    });
    expect(rows.map((row) => ({ ...row }))).toEqual([
      expect.objectContaining({
        id: SEED_NOTIFICATION_IDS.adminWelcome,
        eventId: SEED_EVENT_IDS.adminRegistered,
        userId: '00000000-0000-4000-8000-000000000001',
        recipientEmail: 'admin@shop.example',
        kind: 'WELCOME',
        ...welcome({ name: 'Ada Admin' }),
        status: 'SENT',
      }),
      expect.objectContaining({
        id: '00000000-0000-4000-8006-000000000001',
        eventId: '00000000-0000-4000-8007-000000000001',
        userId: '00000000-0000-4000-8000-000000000002',
        recipientEmail: 'customer@shop.example',
        kind: 'WELCOME',
        subject: welcomeCasey.subject,
        body: welcomeCasey.body,
        status: 'SENT',
        attempts: 1,
        lastError: null,
        createdAt: new Date('2026-10-31T09:00:00Z'),
        sentAt: new Date('2026-10-31T09:00:00Z'),
      }),
      expect.objectContaining({
        id: '00000000-0000-4000-8006-000000000002',
        eventId: '00000000-0000-4000-8007-000000000002',
        userId: '00000000-0000-4000-8000-000000000002',
        recipientEmail: 'customer@shop.example',
        kind: 'ORDER_CONFIRMED',
        subject: 'Your order is confirmed: 41.70 EUR',
        body: confirmed.body,
        status: 'SENT',
        attempts: 1,
        createdAt: new Date('2026-11-01T10:00:10Z'),
        sentAt: new Date('2026-11-01T10:00:10Z'),
      }),
    ]);
    expect(confirmed.body).toContain('Total: 41.70 EUR');
  });

  it('inserts nothing the second time and leaves the rows as they are', async () => {
    const before = await orm.em.fork().find(Notification, {}, { orderBy: { id: 'asc' } });
    expect(await seedNotifications(orm.em.fork())).toBe(0);
    const after = await orm.em.fork().find(Notification, {}, { orderBy: { id: 'asc' } });
    expect(after.map((row) => ({ ...row }))).toEqual(before.map((row) => ({ ...row })));
    expect(after).toHaveLength(SEED_NOTIFICATIONS.length);
  });
});

describe('the demo recipients', () => {
  it("puts the users' demo accounts in the directory, as registered when they were welcomed", async () => {
    expect(await seedRecipients(orm.em.fork())).toBe(2);

    const rows = await orm.em.fork().find(Recipient, {}, { orderBy: { userId: 'asc' } });
    expect(rows.map((row) => ({ ...row }))).toEqual([
      {
        userId: '00000000-0000-4000-8000-000000000001',
        email: 'admin@shop.example',
        name: 'Ada Admin',
        updatedAt: new Date('2026-10-30T08:00:00Z'),
      },
      {
        userId: '00000000-0000-4000-8000-000000000002',
        email: 'customer@shop.example',
        name: 'Casey Customer',
        updatedAt: new Date('2026-10-31T09:00:00Z'),
      },
    ]);
  });

  it('leaves a recipient an event has updated as the event left it, and inserts nothing again', async () => {
    await createRecipientDirectory(orm.em.fork()).record({
      userId: '00000000-0000-4000-8000-000000000002',
      email: 'casey@shop.example',
      name: 'Casey C.',
      at: new Date('2026-11-05T12:00:00Z'),
    });

    expect(await seed(orm.em.fork())).toBe(0);
    expect(
      await orm.em.fork().findOneOrFail(Recipient, { userId: '00000000-0000-4000-8000-000000000002' }),
    ).toMatchObject({ email: 'casey@shop.example', name: 'Casey C.' });
  });
});

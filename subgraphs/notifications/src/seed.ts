import type { EntityManager } from '@mikro-orm/postgresql';
import { orderConfirmed, welcome, type Message } from './messages.ts';
import { Notification, type NotificationKind } from './notification.entity.ts';
import { Recipient } from './recipient.entity.ts';

// Other subgraphs' demo data this seed refers to, copied rather than imported: each subgraph ships alone.
// The users' demo accounts, each registered (and welcomed) at `registeredAt`.
const ADMIN = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'admin@shop.example',
  name: 'Ada Admin',
  registeredAt: new Date('2026-10-30T08:00:00Z'),
};
const CUSTOMER = {
  id: '00000000-0000-4000-8000-000000000002',
  email: 'customer@shop.example',
  name: 'Casey Customer',
  registeredAt: new Date('2026-10-31T09:00:00Z'),
};
/** The customer's confirmed past order (orders' seed): 2 x 14.90 + 1 x 11.90 EUR. */
const PAST_ORDER = { id: '00000000-0000-4000-8004-000000000001', total: { amount: 4170, currency: 'EUR' } };

export const SEED_NOTIFICATION_IDS = {
  customerWelcome: '00000000-0000-4000-8006-000000000001',
  customerOrderConfirmed: '00000000-0000-4000-8006-000000000002',
  adminWelcome: '00000000-0000-4000-8006-000000000003',
} as const;

/** The ids of the events that caused them (UserRegistered, OrderConfirmed), in the -8007- range. */
export const SEED_EVENT_IDS = {
  customerRegistered: '00000000-0000-4000-8007-000000000001',
  pastOrderConfirmed: '00000000-0000-4000-8007-000000000002',
  adminRegistered: '00000000-0000-4000-8007-000000000003',
} as const;

/** The demo users in the recipient directory, as their UserRegistered would have put them there. */
export const SEED_RECIPIENTS = [ADMIN, CUSTOMER] as const;

interface SeedNotification {
  id: string;
  eventId: string;
  user: { id: string; email: string };
  kind: NotificationKind;
  message: Message;
  at: Date;
}

export const SEED_NOTIFICATIONS: readonly SeedNotification[] = [
  {
    id: SEED_NOTIFICATION_IDS.adminWelcome,
    eventId: SEED_EVENT_IDS.adminRegistered,
    user: ADMIN,
    kind: 'WELCOME',
    message: welcome({ name: ADMIN.name }),
    at: ADMIN.registeredAt,
  },
  {
    id: SEED_NOTIFICATION_IDS.customerWelcome,
    eventId: SEED_EVENT_IDS.customerRegistered,
    user: CUSTOMER,
    kind: 'WELCOME',
    message: welcome({ name: CUSTOMER.name }),
    at: CUSTOMER.registeredAt,
  },
  {
    id: SEED_NOTIFICATION_IDS.customerOrderConfirmed,
    eventId: SEED_EVENT_IDS.pastOrderConfirmed,
    user: CUSTOMER,
    kind: 'ORDER_CONFIRMED',
    message: orderConfirmed({ orderId: PAST_ORDER.id, total: PAST_ORDER.total }),
    // Ten seconds after the order was placed (2026-11-01T10:00:00Z), once payment had confirmed it.
    at: new Date('2026-11-01T10:00:10Z'),
  },
];

/**
 * Inserts the demo notifications that are missing, as already sent, and returns how many it inserted.
 * It only inserts (`on conflict do nothing`, on the id and on (event, user)), so a seed on every start
 * never resends or rewrites anything.
 */
export async function seedNotifications(em: EntityManager): Promise<number> {
  const rows = SEED_NOTIFICATIONS.map((seed) => ({
    id: seed.id,
    eventId: seed.eventId,
    userId: seed.user.id,
    recipientEmail: seed.user.email,
    kind: seed.kind,
    subject: seed.message.subject,
    body: seed.message.body,
    status: 'SENT' as const,
    attempts: 1,
    createdAt: seed.at,
    sentAt: seed.at,
  }));
  const result = await em.createQueryBuilder(Notification).insert(rows).onConflict().ignore().execute('run');
  return result.affectedRows;
}

/**
 * Puts the demo users in the recipient directory if they are missing, and returns how many it added.
 * Insert only: a recipient a real UserRegistered wrote or updated keeps what it says.
 */
export async function seedRecipients(em: EntityManager): Promise<number> {
  const rows = SEED_RECIPIENTS.map((seed) => ({
    userId: seed.id,
    email: seed.email,
    name: seed.name,
    updatedAt: seed.registeredAt,
  }));
  const result = await em.createQueryBuilder(Recipient).insert(rows).onConflict().ignore().execute('run');
  return result.affectedRows;
}

/** All the demo data of this subgraph: the recipients and their notifications. */
export async function seed(em: EntityManager): Promise<number> {
  return (await seedRecipients(em)) + (await seedNotifications(em));
}

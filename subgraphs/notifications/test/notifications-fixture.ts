import type { EntityManager } from '@mikro-orm/postgresql';
import { openDatabase, type Database } from '@supergraph/db';
import type { Identity } from '@supergraph/identity';
import { createTestSchema, startTestSubgraph, type TestSchema, type TestSubgraph } from '@supergraph/testing';
import { startNotificationsSubgraph, type NotificationsOverrides } from '../src/app.ts';
import { entities } from '../src/entities.ts';
import { loadEnv } from '../src/env.ts';
import type { NotificationTransport, OutgoingMessage } from '../src/notification-transport.ts';
import { Notification, type NotificationKind } from '../src/notification.entity.ts';

export const ADMIN: Identity = { userId: '00000000-0000-4000-8000-000000000001', role: 'ADMIN' };
export const CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-000000000002', role: 'CUSTOMER' };
/** A second customer, with notifications of their own the first must never see. */
export const OTHER_CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-000000000003', role: 'CUSTOMER' };

export const NOTIFICATION_FIELDS = 'id kind subject body status createdAt sentAt';

/** The notifications subgraph in a fresh schema, with the demo notifications loaded when `seed` is set. */
export function startNotifications(
  options: { seed: boolean; env?: Record<string, string> } & NotificationsOverrides,
): Promise<TestSubgraph> {
  const { seed, env: extra, ...overrides } = options;
  return startTestSubgraph('notifications', (env, hooks) =>
    startNotificationsSubgraph(loadEnv({ ...env, SEED_ON_START: String(seed), ...extra }), hooks, overrides),
  );
}

/** An ORM on a running subgraph's schema, to write rows the way the events worker will. */
export function openSubgraphDatabase(subgraph: TestSubgraph): Promise<Database> {
  return openSchemaDatabase(subgraph.schema);
}

export function openSchemaDatabase(schema: TestSchema): Promise<Database> {
  return openDatabase({
    clientUrl: schema.clientUrl,
    schema: schema.name,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
  });
}

/** A fresh schema with the migrations applied, for tests of the domain code without a server. */
export async function openTestDatabase(): Promise<{ orm: Database; close: () => Promise<void> }> {
  const schema = await createTestSchema('notifications');
  const orm = await openSchemaDatabase(schema).catch(async (error: unknown) => {
    await schema.drop();
    throw error;
  });
  return {
    orm,
    close: async () => {
      await orm.close();
      await schema.drop();
    },
  };
}

/** A transport fake that records every call; it fails while `failures` is above zero. */
export interface RecordingTransport extends NotificationTransport {
  /** Every message the service handed over, failed ones included. */
  calls: OutgoingMessage[];
  /** Messages the transport accepted. */
  sent: OutgoingMessage[];
  failures: number;
  closed: boolean;
}

/** `delayMs`: how long each send takes, so that concurrent callers overlap it. */
export function recordingTransport(delayMs = 5): RecordingTransport {
  const transport: RecordingTransport = {
    calls: [],
    sent: [],
    failures: 0,
    closed: false,
    send: async (message) => {
      transport.calls.push(message);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (transport.failures > 0) {
        transport.failures -= 1;
        throw new Error('connection refused by smtp.test');
      }
      transport.sent.push(message);
    },
    close: async () => {
      transport.closed = true;
    },
  };
  return transport;
}

let sequence = 0;

/** Inserts sent notifications directly, with the given times, for tests of what users read. */
export async function insertNotifications(
  em: EntityManager,
  userId: string,
  createdAts: Date[],
  kind: NotificationKind = 'ORDER_CANCELLED',
): Promise<string[]> {
  const rows = createdAts.map((createdAt) => {
    sequence += 1;
    return {
      id: crypto.randomUUID(),
      eventId: crypto.randomUUID(),
      userId,
      recipientEmail: `user-${userId.slice(-4)}@shop.example`,
      kind,
      subject: `Test notification ${sequence}`,
      body: `Body of test notification ${sequence}.`,
      status: 'SENT' as const,
      attempts: 1,
      createdAt,
      sentAt: createdAt,
    };
  });
  await em.insertMany(Notification, rows);
  return rows.map((row) => row.id);
}

/** `count` instants one minute apart, oldest first, starting at `start`. */
export function minutesFrom(start: string, count: number): Date[] {
  return Array.from({ length: count }, (_, index) => new Date(Date.parse(start) + index * 60_000));
}

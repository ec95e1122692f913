import type { Identity } from '@supergraph/identity';
import { openDatabase, type Database } from '@supergraph/db';
import { OutboxEvent, type EventEnvelope } from '@supergraph/events';
import { createTestSchema, startTestSubgraph, type TestSchema, type TestSubgraph } from '@supergraph/testing';
import { startPaymentsSubgraph } from '../src/app.ts';
import { entities } from '../src/entities.ts';
import { loadEnv } from '../src/env.ts';
import type { AuthorizationRequest, PaymentProvider, RefundRequest } from '../src/payment-provider.ts';
import { Payment, type PaymentStatus } from '../src/payment.entity.ts';

export const ADMIN: Identity = { userId: '00000000-0000-4000-8000-000000000001', role: 'ADMIN' };
export const CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-000000000002', role: 'CUSTOMER' };
export const OTHER_CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-0000000000aa', role: 'CUSTOMER' };

export const PAYMENT_FIELDS =
  'id status amount { amount currency } declineReason createdAt updatedAt order { id total { amount currency } }';

/** The payments subgraph in a fresh schema, with the demo payment loaded when `seed` is set. */
export function startPayments(options: {
  seed: boolean;
  env?: Record<string, string>;
}): Promise<TestSubgraph> {
  return startTestSubgraph('payments', (env, hooks) =>
    startPaymentsSubgraph(loadEnv({ ...env, SEED_ON_START: String(options.seed), ...options.env }), hooks),
  );
}

/** The subgraph's entities on a schema (migrated on open), as the subgraph's own role. */
export function openDatabaseOn(schema: TestSchema): Promise<Database> {
  return openDatabase({
    clientUrl: schema.clientUrl,
    schema: schema.name,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
  });
}

/** A fresh schema and the ORM on it, for the domain service and the seed. */
export async function openPaymentsDatabase(): Promise<{ orm: Database; schema: TestSchema }> {
  const schema = await createTestSchema('payments');
  try {
    return { orm: await openDatabaseOn(schema), schema };
  } catch (error) {
    await schema.drop();
    throw error;
  }
}

/** Stored payments, written straight into the table the subgraph reads. */
export async function insertPayments(
  orm: Database,
  payments: Array<{
    orderId: string;
    userId: string;
    amount?: number;
    status?: PaymentStatus;
    declineReason?: string;
  }>,
): Promise<string[]> {
  const now = new Date();
  const rows = payments.map((payment) => ({
    id: crypto.randomUUID(),
    orderId: payment.orderId,
    userId: payment.userId,
    amount: { amount: payment.amount ?? 2500, currency: 'EUR' },
    status: payment.status ?? 'AUTHORIZED',
    declineReason: payment.status === 'DECLINED' ? (payment.declineReason ?? 'declined in a test') : null,
    providerReference: payment.status === 'DECLINED' ? null : `test_${payment.orderId}`,
    createdAt: now,
    updatedAt: now,
  }));
  await orm.em.fork().createQueryBuilder(Payment).insert(rows).execute('run');
  return rows.map((row) => row.id);
}

export async function insertPayment(
  orm: Database,
  payment: Parameters<typeof insertPayments>[1][number],
): Promise<string> {
  const [id] = await insertPayments(orm, [payment]);
  if (!id) throw new Error('no payment inserted');
  return id;
}

/** A provider that answers as told and counts what it was asked; refunds succeed unless told. */
export function scriptedProvider(
  answer: (request: AuthorizationRequest, signal: AbortSignal) => ReturnType<PaymentProvider['authorize']>,
  refund: (request: RefundRequest, signal: AbortSignal) => Promise<void> = async () => undefined,
) {
  const requests: AuthorizationRequest[] = [];
  const refunds: RefundRequest[] = [];
  const provider: PaymentProvider = {
    authorize: (request, signal) => {
      requests.push(request);
      return answer(request, signal);
    },
    refund: (request, signal) => {
      refunds.push(request);
      return refund(request, signal);
    },
  };
  return { provider, requests, refunds };
}

/** The events in the schema's outbox about one order, oldest first. */
export async function outboxFor(orm: Database, orderId: string): Promise<EventEnvelope[]> {
  const rows = await orm.em.fork().find(OutboxEvent, {}, { orderBy: { createdAt: 'asc' } });
  return rows
    .map((row) => row.envelope as unknown as EventEnvelope)
    .filter((envelope) => (envelope.data as { orderId?: string }).orderId === orderId);
}

/** Checks every 50 ms until `check` passes (returns its value) or 10 s have gone by (throws its error). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export function orderId(index: number): string {
  return `00000000-0000-4000-9004-${String(index).padStart(12, '0')}`;
}

import type { Identity } from '@supergraph/identity';
import { openDatabase, type Database } from '@supergraph/db';
import { createTestSchema, startTestSubgraph, type TestSchema, type TestSubgraph } from '@supergraph/testing';
import { startPaymentsSubgraph } from '../src/app.ts';
import { entities } from '../src/entities.ts';
import { loadEnv } from '../src/env.ts';
import type { AuthorizationRequest, PaymentProvider } from '../src/payment-provider.ts';
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
  payments: Array<{ orderId: string; userId: string; amount?: number; status?: PaymentStatus }>,
): Promise<string[]> {
  const now = new Date();
  const rows = payments.map((payment) => ({
    id: crypto.randomUUID(),
    orderId: payment.orderId,
    userId: payment.userId,
    amount: { amount: payment.amount ?? 2500, currency: 'EUR' },
    status: payment.status ?? 'AUTHORIZED',
    declineReason: payment.status === 'DECLINED' ? 'declined in a test' : null,
    providerReference: payment.status === 'DECLINED' ? null : `test_${payment.orderId}`,
    createdAt: now,
    updatedAt: now,
  }));
  await orm.em.fork().createQueryBuilder(Payment).insert(rows).execute('run');
  return rows.map((row) => row.id);
}

export async function insertPayment(
  orm: Database,
  payment: { orderId: string; userId: string; amount?: number; status?: PaymentStatus },
): Promise<string> {
  const [id] = await insertPayments(orm, [payment]);
  if (!id) throw new Error('no payment inserted');
  return id;
}

/** A provider that answers as told and counts what it was asked. */
export function scriptedProvider(
  answer: (request: AuthorizationRequest, signal: AbortSignal) => ReturnType<PaymentProvider['authorize']>,
) {
  const requests: AuthorizationRequest[] = [];
  const provider: PaymentProvider = {
    authorize: (request, signal) => {
      requests.push(request);
      return answer(request, signal);
    },
  };
  return { provider, requests };
}

export function orderId(index: number): string {
  return `00000000-0000-4000-9004-${String(index).padStart(12, '0')}`;
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { TestSchema } from '@supergraph/testing';
import { Payment } from '../src/payment.entity.ts';
import { CUSTOMER, insertPayment, openPaymentsDatabase, orderId } from './payments-fixture.ts';

// The invariants Postgres itself enforces, whatever code writes the table.

let orm: Database;
let schema: TestSchema;
let nextOrder = 1;

beforeAll(async () => {
  ({ orm, schema } = await openPaymentsDatabase());
});

afterAll(async () => {
  await orm?.close();
  await schema?.drop();
});

describe('the payment table', () => {
  async function sqlStateOf(row: Record<string, unknown>): Promise<string | undefined> {
    const now = new Date();
    const base = {
      id: crypto.randomUUID(),
      orderId: orderId(nextOrder++),
      userId: CUSTOMER.userId,
      amount: { amount: 100, currency: 'EUR' },
      status: 'AUTHORIZED',
      declineReason: null,
      providerReference: 'ref',
      createdAt: now,
      updatedAt: now,
    };
    try {
      await orm.em
        .fork()
        .createQueryBuilder(Payment)
        .insert({ ...base, ...row } as never)
        .execute('run');
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  }

  it('holds one payment per order (unique order_id)', async () => {
    const paid = orderId(nextOrder++);
    await insertPayment(orm, { orderId: paid, userId: CUSTOMER.userId });
    expect(await sqlStateOf({ orderId: paid })).toBe('23505');
  });

  it.each([
    ['a negative amount', { amount: { amount: -1, currency: 'EUR' } }],
    ['a lower-case currency', { amount: { amount: 1, currency: 'eur' } }],
    ['an unknown status', { status: 'PENDING' }],
    ['a decline without a reason', { status: 'DECLINED', providerReference: null }],
    ['a reason on an authorized payment', { declineReason: 'why not' }],
    ['an authorization without a provider reference', { providerReference: null }],
  ])('refuses %s (check constraint)', async (_, row) => {
    expect(await sqlStateOf(row)).toBe('23514');
  });

  it('accepts a well-formed row (the checks above refuse only what they name)', async () => {
    expect(await sqlStateOf({})).toBeUndefined();
    expect(
      await sqlStateOf({ status: 'DECLINED', declineReason: 'no', providerReference: null }),
    ).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { TestSchema } from '@supergraph/testing';
import { SEED_PRODUCTS } from '../../products/src/seed-catalog.ts';
import { SEED_USERS } from '../../users/src/seed.ts';
import { Payment } from '../src/payment.entity.ts';
import { SEED_PAYMENT_IDS, SEED_PAYMENTS, seedPayments } from '../src/seed.ts';
import { openPaymentsDatabase } from './payments-fixture.ts';

let orm: Database;
let schema: TestSchema;

beforeAll(async () => {
  ({ orm, schema } = await openPaymentsDatabase());
});

afterAll(async () => {
  await orm?.close();
  await schema?.drop();
});

describe('the demo payment', () => {
  it("pays the seeded order's total for the seeded customer (2 x MUG-STONE-350 + 1 x COF-ETH-250)", () => {
    const price = (sku: string) => SEED_PRODUCTS.find((product) => product.sku === sku)!.price;
    const customer = SEED_USERS.find((user) => user.role === 'CUSTOMER')!;
    expect(SEED_PAYMENTS).toHaveLength(1);
    const [payment] = SEED_PAYMENTS;
    expect(payment.userId).toBe(customer.id);
    expect(payment.orderId).toBe('00000000-0000-4000-8004-000000000001');
    expect(payment.amount).toEqual({
      amount: 2 * price('MUG-STONE-350').amount + price('COF-ETH-250').amount,
      currency: price('MUG-STONE-350').currency,
    });
  });

  it('is inserted once; seeding again inserts nothing and keeps what changed since', async () => {
    expect(await seedPayments(orm.em.fork())).toBe(1);
    const stored = await orm.em.fork().findOneOrFail(Payment, { id: SEED_PAYMENT_IDS.pastOrderPayment });
    expect(stored).toMatchObject({
      orderId: '00000000-0000-4000-8004-000000000001',
      userId: '00000000-0000-4000-8000-000000000002',
      amount: { amount: 4170, currency: 'EUR' },
      status: 'AUTHORIZED',
      declineReason: null,
      providerReference: 'fake_auth_00000000-0000-4000-8004-000000000001',
      createdAt: new Date('2026-11-01T10:00:05Z'),
      updatedAt: new Date('2026-11-01T10:00:05Z'),
    });

    const em = orm.em.fork();
    const payment = await em.findOneOrFail(Payment, { id: SEED_PAYMENT_IDS.pastOrderPayment });
    payment.status = 'REFUNDED';
    await em.flush();

    expect(await seedPayments(orm.em.fork())).toBe(0);
    const after = orm.em.fork();
    expect(await after.count(Payment)).toBe(1);
    expect((await after.findOneOrFail(Payment, { id: SEED_PAYMENT_IDS.pastOrderPayment })).status).toBe(
      'REFUNDED',
    );
  });
});

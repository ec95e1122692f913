import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { TestSubgraph } from '@supergraph/testing';
import { SEED_PAYMENT_IDS } from '../src/seed.ts';
import {
  ADMIN,
  CUSTOMER,
  OTHER_CUSTOMER,
  PAYMENT_FIELDS,
  insertPayment,
  insertPayments,
  openDatabaseOn,
  orderId,
  startPayments,
} from './payments-fixture.ts';

const SEEDED_ORDER = '00000000-0000-4000-8004-000000000001';
const PAYMENT = `query ($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} } }`;

let subgraph: TestSubgraph;
let orm: Database;
let othersPayment: string;
let declined: { id: string; orderId: string };
/** 50 payments of the seeded customer. */
let many: string[];

beforeAll(async () => {
  subgraph = await startPayments({ seed: true });
  orm = await openDatabaseOn(subgraph.schema);
  othersPayment = await insertPayment(orm, { orderId: orderId(900), userId: OTHER_CUSTOMER.userId });
  // Written straight into the table: a payment the service declines also writes an outbox event, and
  // the relay publishing it would add statements to the counts below.
  const declinedOrder = orderId(901);
  declined = {
    id: await insertPayment(orm, {
      orderId: declinedOrder,
      userId: CUSTOMER.userId,
      amount: 149_900,
      status: 'DECLINED',
      declineReason: 'the amount 1499.00 EUR is above the limit of 1000.00 EUR',
    }),
    orderId: declinedOrder,
  };
  many = await insertPayments(
    orm,
    Array.from({ length: 50 }, (_, index) => ({ orderId: orderId(1000 + index), userId: CUSTOMER.userId })),
  );
});

afterAll(async () => {
  await orm?.close();
  await subgraph?.stop();
});

describe('payment(id)', () => {
  it("gives the customer their payment with every field, and its order's total without orders", async () => {
    subgraph.queries.reset();
    const result = await subgraph.run(PAYMENT, {
      variables: { id: SEED_PAYMENT_IDS.pastOrderPayment },
      as: CUSTOMER,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      payment: {
        id: SEED_PAYMENT_IDS.pastOrderPayment,
        status: 'AUTHORIZED',
        amount: { amount: 4170, currency: 'EUR' },
        declineReason: null,
        createdAt: '2026-11-01T10:00:05.000Z',
        updatedAt: '2026-11-01T10:00:05.000Z',
        order: { id: SEEDED_ORDER, total: { amount: 4170, currency: 'EUR' } },
      },
    });
    expect(subgraph.queries.statements).toHaveLength(1);
  });

  it('says why a declined payment was declined', async () => {
    const result = await subgraph.run<{ payment: Record<string, unknown> }>(PAYMENT, {
      variables: { id: declined.id },
      as: CUSTOMER,
    });
    expect(result.data!.payment).toMatchObject({
      status: 'DECLINED',
      declineReason: 'the amount 1499.00 EUR is above the limit of 1000.00 EUR',
      amount: { amount: 149_900, currency: 'EUR' },
      order: { id: declined.orderId, total: { amount: 149_900, currency: 'EUR' } },
    });
  });

  it("gives an admin anyone's payment", async () => {
    for (const id of [SEED_PAYMENT_IDS.pastOrderPayment, othersPayment]) {
      const result = await subgraph.run<{ payment: { id: string } }>(PAYMENT, {
        variables: { id },
        as: ADMIN,
      });
      expect(result.errors).toBeUndefined();
      expect(result.data!.payment.id).toBe(id);
    }
  });

  it("answers null for another customer's payment, as if there were none", async () => {
    const result = await subgraph.run(PAYMENT, { variables: { id: othersPayment }, as: CUSTOMER });
    expect(result).toEqual({ status: 200, data: { payment: null } });
    const theirs = await subgraph.run(PAYMENT, {
      variables: { id: SEED_PAYMENT_IDS.pastOrderPayment },
      as: OTHER_CUSTOMER,
    });
    expect(theirs).toEqual({ status: 200, data: { payment: null } });
  });

  it('answers null for an id no payment has, and for a malformed id without asking Postgres', async () => {
    const unknown = await subgraph.run(PAYMENT, {
      variables: { id: '00000000-0000-4000-8005-999999999999' },
      as: ADMIN,
    });
    expect(unknown.data).toEqual({ payment: null });
    subgraph.queries.reset();
    const malformed = await subgraph.run(PAYMENT, { variables: { id: 'not-an-id' }, as: ADMIN });
    expect(malformed).toEqual({ status: 200, data: { payment: null } });
    expect(subgraph.queries.statements).toHaveLength(0);
  });

  it('finds a payment by its id in upper case', async () => {
    const result = await subgraph.run<{ payment: { id: string } }>(PAYMENT, {
      variables: { id: SEED_PAYMENT_IDS.pastOrderPayment.toUpperCase() },
      as: CUSTOMER,
    });
    expect(result.data!.payment.id).toBe(SEED_PAYMENT_IDS.pastOrderPayment);
  });

  it('asks an anonymous caller to sign in, revealing nothing', async () => {
    const result = await subgraph.run(PAYMENT, { variables: { id: SEED_PAYMENT_IDS.pastOrderPayment } });
    expect(result.data).toEqual({ payment: null });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'You must be signed in to see a payment.',
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
  });
});

describe('_entities for Payment', () => {
  const SELECTION = '... on Payment { id status amount { amount } order { id } }';
  const reference = (id: string) => ({ __typename: 'Payment', id });

  it("resolves the caller's own payments and null, in place, for anyone else's, unknown or malformed ids", async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities(
      [
        reference(SEED_PAYMENT_IDS.pastOrderPayment),
        reference(othersPayment),
        reference('00000000-0000-4000-8005-999999999999'),
        reference('nope'),
      ],
      SELECTION,
      { as: CUSTOMER },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      {
        id: SEED_PAYMENT_IDS.pastOrderPayment,
        status: 'AUTHORIZED',
        amount: { amount: 4170 },
        order: { id: SEEDED_ORDER },
      },
      null,
      null,
      null,
    ]);
    expect(subgraph.queries.statements).toHaveLength(1);
  });

  it('resolves every payment for an admin and none for an anonymous caller', async () => {
    const references = [reference(SEED_PAYMENT_IDS.pastOrderPayment), reference(othersPayment)];
    const admin = await subgraph.entities<{ id: string }>(references, '... on Payment { id }', { as: ADMIN });
    expect(admin.data!._entities).toEqual([{ id: SEED_PAYMENT_IDS.pastOrderPayment }, { id: othersPayment }]);
    subgraph.queries.reset();
    const anonymous = await subgraph.entities(references, '... on Payment { id }', { as: null });
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data!._entities).toEqual([null, null]);
    expect(subgraph.queries.statements).toHaveLength(0);
  });

  it('resolves 50 references with one SQL statement, in the order asked', async () => {
    const wanted = [...many].reverse();
    subgraph.queries.reset();
    const result = await subgraph.entities<{ id: string }>(wanted.map(reference), '... on Payment { id }', {
      as: CUSTOMER,
    });
    expect(result.data!._entities).toEqual(wanted.map((id) => ({ id })));
    expect(subgraph.queries.statements).toHaveLength(1);
  });
});

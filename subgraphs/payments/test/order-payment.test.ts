import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { TestSubgraph } from '@supergraph/testing';
import { SEED_PAYMENT_IDS } from '../src/seed.ts';
import {
  ADMIN,
  CUSTOMER,
  OTHER_CUSTOMER,
  insertPayment,
  insertPayments,
  openDatabaseOn,
  orderId,
  startPayments,
} from './payments-fixture.ts';

// Orders owns Order; payments adds `Order.payment`. The router sends payments Order references by id.

const SEEDED_ORDER = '00000000-0000-4000-8004-000000000001';
const ORDER_WITHOUT_PAYMENT = orderId(999);
const OTHERS_ORDER = orderId(900);
/** 50 orders of the seeded customer, each with a payment. */
const MANY = Array.from({ length: 50 }, (_, index) => orderId(1000 + index));

let subgraph: TestSubgraph;
let orm: Database;
let othersPayment: string;
let manyPayments: string[];

const order = (id: string) => ({ __typename: 'Order', id });

beforeAll(async () => {
  subgraph = await startPayments({ seed: true });
  orm = await openDatabaseOn(subgraph.schema);
  othersPayment = await insertPayment(orm, {
    orderId: OTHERS_ORDER,
    userId: OTHER_CUSTOMER.userId,
    status: 'DECLINED',
  });
  manyPayments = await insertPayments(
    orm,
    MANY.map((id) => ({ orderId: id, userId: CUSTOMER.userId })),
  );
});

afterAll(async () => {
  await orm?.close();
  await subgraph?.stop();
});

describe('Order references', () => {
  it('resolve without a single SQL statement when no payment is asked for', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities<{ id: string }>(MANY.map(order), '... on Order { id }', {
      as: CUSTOMER,
    });
    expect(result.data!._entities).toEqual(MANY.map((id) => ({ id })));
    expect(subgraph.queries.statements).toHaveLength(0);
  });
});

describe('Order.payment', () => {
  it("gives the order's payment, null for an order without one, in place", async () => {
    const result = await subgraph.entities(
      [order(SEEDED_ORDER), order(ORDER_WITHOUT_PAYMENT)],
      '... on Order { id payment { id status amount { amount currency } order { id total { amount currency } } } }',
      { as: CUSTOMER },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      {
        id: SEEDED_ORDER,
        payment: {
          id: SEED_PAYMENT_IDS.pastOrderPayment,
          status: 'AUTHORIZED',
          amount: { amount: 4170, currency: 'EUR' },
          order: { id: SEEDED_ORDER, total: { amount: 4170, currency: 'EUR' } },
        },
      },
      { id: ORDER_WITHOUT_PAYMENT, payment: null },
    ]);
  });

  it('loads the payments of 50 orders with one SQL statement', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities<{ payment: { id: string } }>(
      MANY.map(order),
      '... on Order { payment { id } }',
      { as: CUSTOMER },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual(manyPayments.map((id) => ({ payment: { id } })));
    expect(subgraph.queries.statements).toHaveLength(1);
  });

  it("answers null for another customer's order, and an admin sees every payment", async () => {
    const references = [order(SEEDED_ORDER), order(OTHERS_ORDER)];
    const customer = await subgraph.entities(references, '... on Order { payment { id } }', { as: CUSTOMER });
    expect(customer.errors).toBeUndefined();
    expect(customer.data!._entities).toEqual([
      { payment: { id: SEED_PAYMENT_IDS.pastOrderPayment } },
      { payment: null },
    ]);
    const other = await subgraph.entities(references, '... on Order { payment { id } }', {
      as: OTHER_CUSTOMER,
    });
    expect(other.data!._entities).toEqual([{ payment: null }, { payment: { id: othersPayment } }]);
    const admin = await subgraph.entities(references, '... on Order { payment { id status } }', {
      as: ADMIN,
    });
    expect(admin.data!._entities).toEqual([
      { payment: { id: SEED_PAYMENT_IDS.pastOrderPayment, status: 'AUTHORIZED' } },
      { payment: { id: othersPayment, status: 'DECLINED' } },
    ]);
  });

  it('answers null for a malformed order id without asking Postgres', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities([order('not-an-order')], '... on Order { id payment { id } }', {
      as: ADMIN,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([{ id: 'not-an-order', payment: null }]);
    expect(subgraph.queries.statements).toHaveLength(0);
  });

  it('asks an anonymous caller to sign in, revealing nothing', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities([order(SEEDED_ORDER)], '... on Order { id payment { id } }', {
      as: null,
    });
    expect(result.data!._entities).toEqual([{ id: SEEDED_ORDER, payment: null }]);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'You must be signed in to see a payment.',
        path: ['_entities', 0, 'payment'],
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
    expect(JSON.stringify(result)).not.toContain(SEED_PAYMENT_IDS.pastOrderPayment);
    expect(subgraph.queries.statements).toHaveLength(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { Identity } from '@supergraph/identity';
import type { TestSubgraph } from '@supergraph/testing';
import {
  ADMIN,
  CUSTOMER,
  fakeCatalog,
  insertOrders,
  openOrdersDatabase,
  ORDER,
  OTHER_CUSTOMER,
  startOrders,
  type OrderView,
} from './orders-fixture.ts';

// Reading orders: order(id), Order and User references from the router, and User.orders pages, with
// who may see what and how many SQL statements each costs.

let orders: TestSubgraph;
let db: Database;
/** The customer's orders, newest first. */
let mine: string[];
let theirs: string[];

beforeAll(async () => {
  orders = await startOrders({ catalog: fakeCatalog({}) });
  db = await openOrdersDatabase(orders);
  mine = await insertOrders(db, CUSTOMER.userId, 60);
  theirs = await insertOrders(db, OTHER_CUSTOMER.userId, 3);
});

afterAll(async () => {
  await db?.close();
  await orders?.stop();
});

describe('order(id)', () => {
  const read = (id: string, as: Identity | null) =>
    orders.run<{ order: OrderView | null }>(ORDER, { variables: { id }, as });

  it('gives the customer their own order with its items and total', async () => {
    const result = await read(mine[0]!, CUSTOMER);
    expect(result.errors).toBeUndefined();
    expect(result.data!.order).toEqual({
      id: mine[0],
      status: 'PENDING',
      cancellationReason: null,
      total: { amount: 3870, currency: 'EUR' },
      user: { id: CUSTOMER.userId },
      items: [
        {
          product: { id: '00000000-0000-4000-8002-000000000001' },
          quantity: 1,
          unitPrice: { amount: 1490, currency: 'EUR' },
        },
        {
          product: { id: '00000000-0000-4000-8002-000000000005' },
          quantity: 2,
          unitPrice: { amount: 1190, currency: 'EUR' },
        },
      ],
      createdAt: '2026-01-01T00:59:00.000Z',
      updatedAt: '2026-01-01T00:59:00.000Z',
    });
  });

  it("gives an admin anyone's order", async () => {
    const result = await read(theirs[0]!, ADMIN);
    expect(result.data!.order).toMatchObject({ id: theirs[0], user: { id: OTHER_CUSTOMER.userId } });
  });

  it("answers null for another customer's order, as for one that does not exist or a malformed id", async () => {
    for (const id of [theirs[0]!, '00000000-0000-4000-8004-999999999999', 'not-an-id']) {
      const result = await read(id, CUSTOMER);
      expect(result).toEqual({ status: 200, data: { order: null } });
    }
  });

  it('asks an anonymous caller to sign in', async () => {
    const result = await read(mine[0]!, null);
    expect(result.data).toEqual({ order: null });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(result.errors?.[0]?.message).toBe('You must be signed in to see an order.');
  });
});

describe('_entities: Order', () => {
  it("resolves the caller's orders in place, null for anyone else's or a malformed id", async () => {
    const result = await orders.entities(
      [
        { __typename: 'Order', id: mine[1] },
        { __typename: 'Order', id: theirs[0] },
        { __typename: 'Order', id: 'nope' },
        { __typename: 'Order', id: mine[2]!.toUpperCase() },
      ],
      '... on Order { id total { amount } }',
      { as: CUSTOMER },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id: mine[1], total: { amount: 3870 } },
      null,
      null,
      { id: mine[2], total: { amount: 3870 } },
    ]);
  });

  it('resolves nothing for an anonymous caller and everything for an admin', async () => {
    const references = [mine[0], theirs[0]].map((id) => ({ __typename: 'Order', id }));
    const anonymous = await orders.entities(references, '... on Order { id }', { as: null });
    expect(anonymous.data!._entities).toEqual([null, null]);
    const admin = await orders.entities(references, '... on Order { id }', { as: ADMIN });
    expect(admin.data!._entities).toEqual([{ id: mine[0] }, { id: theirs[0] }]);
  });

  it('costs one statement for 50 orders and one more for all their items', async () => {
    orders.queries.reset();
    const result = await orders.entities<{ id: string; items: unknown[] }>(
      mine.slice(0, 50).map((id) => ({ __typename: 'Order', id })),
      '... on Order { id items { quantity } }',
      { as: CUSTOMER },
    );
    expect(result.data!._entities.map((order) => order?.id)).toEqual(mine.slice(0, 50));
    expect(result.data!._entities.every((order) => order?.items.length === 2)).toBe(true);
    expect(orders.queries.statements).toHaveLength(2);
  });
});

describe('_entities: User', () => {
  it('answers a reference without touching Postgres when no order is asked for', async () => {
    orders.queries.reset();
    const result = await orders.entities(
      [
        { __typename: 'User', id: CUSTOMER.userId },
        { __typename: 'User', id: 'whoever' },
      ],
      '... on User { id }',
      { as: null },
    );
    expect(result.data!._entities).toEqual([{ id: CUSTOMER.userId }, { id: 'whoever' }]);
    expect(orders.queries.statements).toHaveLength(0);
  });
});

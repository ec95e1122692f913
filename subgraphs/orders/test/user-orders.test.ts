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
  OTHER_CUSTOMER,
  startOrders,
} from './orders-fixture.ts';

// User.orders as the router asks for it: through User references, newest first, a page at a time.

let orders: TestSubgraph;
let db: Database;
let mine: string[];
let theirs: string[];
const others = Array.from(
  { length: 5 },
  (_, index) => `00000000-0000-4000-8000-0000000002${String(index).padStart(2, '0')}`,
);
const othersOrders = new Map<string, string[]>();

beforeAll(async () => {
  orders = await startOrders({ catalog: fakeCatalog({}) });
  db = await openOrdersDatabase(orders);
  mine = await insertOrders(db, CUSTOMER.userId, 60);
  theirs = await insertOrders(db, OTHER_CUSTOMER.userId, 3);
  for (const [index, userId] of others.entries()) {
    othersOrders.set(userId, await insertOrders(db, userId, 10 + index));
  }
});

afterAll(async () => {
  await db?.close();
  await orders?.stop();
});

interface Connection {
  edges: Array<{ cursor: string; node: { id: string; items?: unknown[] } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
}

function ordersOf(userIds: string[], args: string, selection: string, as: Identity | null) {
  return orders.entities<{ orders: Connection }>(
    userIds.map((id) => ({ __typename: 'User', id })),
    `... on User { orders${args} { ${selection} } }`,
    { as },
  );
}

const PAGE = 'edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount';

describe('User.orders', () => {
  it("walks all of a customer's orders newest first, each once, and counts them", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    const sizes: number[] = [];
    do {
      const args: string = after ? `(first: 25, after: "${after}")` : '(first: 25)';
      const result = await ordersOf([CUSTOMER.userId], args, PAGE, CUSTOMER);
      expect(result.errors).toBeUndefined();
      const page: Connection = result.data!._entities[0]!.orders;
      expect(page.totalCount).toBe(60);
      sizes.push(page.edges.length);
      seen.push(...page.edges.map((edge) => edge.node.id));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null);
    expect(sizes).toEqual([25, 25, 10]);
    expect(seen).toEqual(mine);
  });

  it('keeps its place among orders placed in the same millisecond', async () => {
    const userId = '00000000-0000-4000-8000-000000000300';
    const sameInstant = await insertOrders(db, userId, 7, new Date('2026-03-01T12:00:00.000Z'), 0);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const args: string = after ? `(first: 2, after: "${after}")` : '(first: 2)';
      const result = await ordersOf([userId], args, PAGE, ADMIN);
      const page: Connection = result.data!._entities[0]!.orders;
      seen.push(...page.edges.map((edge) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null);
    // Ties on created_at fall back to the id, descending.
    expect(seen).toEqual([...sameInstant].sort().reverse());
  });

  it('gives 20 by default and an empty last page past the end', async () => {
    const first = await ordersOf([CUSTOMER.userId], '', PAGE, CUSTOMER);
    expect(first.data!._entities[0]!.orders.edges).toHaveLength(20);
    const all = await ordersOf([CUSTOMER.userId], '(first: 100)', PAGE, CUSTOMER);
    const end = all.data!._entities[0]!.orders.pageInfo.endCursor;
    const past = await ordersOf([CUSTOMER.userId], `(after: "${end}")`, PAGE, CUSTOMER);
    expect(past.data!._entities[0]!.orders).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
      totalCount: 60,
    });
  });

  it("gives an admin anyone's orders, and a user with no orders an empty connection", async () => {
    const result = await ordersOf([OTHER_CUSTOMER.userId, ADMIN.userId, 'not-a-uuid'], '', PAGE, ADMIN);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((user) => user!.orders.edges.map((edge) => edge.node.id))).toEqual([
      theirs,
      [],
      [],
    ]);
    expect(result.data!._entities.map((user) => user!.orders.totalCount)).toEqual([3, 0, 0]);
  });

  it("refuses another customer's orders with FORBIDDEN and shows nothing of them", async () => {
    const result = await ordersOf(
      [CUSTOMER.userId, OTHER_CUSTOMER.userId],
      '',
      'edges { node { id } }',
      CUSTOMER,
    );
    expect(result.data!._entities[0]!.orders.edges).toHaveLength(20);
    expect(result.data!._entities[1]).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!).toMatchObject({
      message: 'You can only see your own orders.',
      path: ['_entities', 1, 'orders'],
      extensions: { code: 'FORBIDDEN' },
    });
    expect(JSON.stringify(result)).not.toContain(theirs[0]);
  });

  it('asks an anonymous caller to sign in', async () => {
    const result = await ordersOf([CUSTOMER.userId], '', 'totalCount', null);
    expect(result.data!._entities).toEqual([null]);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
  });

  it.each([0, -1, 101])('refuses first: %i and names the allowed range', async (first) => {
    const result = await ordersOf([CUSTOMER.userId], `(first: ${first})`, 'totalCount', CUSTOMER);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['first'] });
    expect(result.errors?.[0]?.message).toBe(`first must be between 1 and 100; got ${first}`);
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    [
      'a products cursor',
      Buffer.from(JSON.stringify(['p1', '2026-01-01T00:00:00.000Z', CUSTOMER.userId])).toString('base64url'),
    ],
    ['a tampered position', Buffer.from(JSON.stringify(['o1', 'yesterday', 'x'])).toString('base64url')],
  ])('refuses a cursor that is %s', async (_, after) => {
    const result = await ordersOf([CUSTOMER.userId], `(after: "${after}")`, 'totalCount', CUSTOMER);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['after'] });
    expect(result.errors?.[0]?.message).toBe(
      'after is not a cursor of this connection; pass the endCursor of a previous page',
    );
  });
});

describe('User.orders statements', () => {
  const HEAVY =
    'edges { node { id total { amount } items { product { id } quantity unitPrice { amount currency } } } }';

  it('costs two statements for a page of 50 orders with their items', async () => {
    orders.queries.reset();
    const result = await ordersOf([CUSTOMER.userId], '(first: 50)', HEAVY, CUSTOMER);
    const page = result.data!._entities[0]!.orders;
    expect(page.edges.map((edge) => edge.node.id)).toEqual(mine.slice(0, 50));
    expect(page.edges.every((edge) => edge.node.items!.length === 2)).toBe(true);
    expect(orders.queries.statements).toHaveLength(2);
  });

  it('costs the same two statements for pages of many users at once', async () => {
    const users = [CUSTOMER.userId, ...others, OTHER_CUSTOMER.userId, others[0]!];
    orders.queries.reset();
    const result = await ordersOf(users, '(first: 50)', HEAVY, ADMIN);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((user) => user!.orders.edges.map((edge) => edge.node.id))).toEqual([
      mine.slice(0, 50),
      ...others.map((id) => othersOrders.get(id)),
      theirs,
      othersOrders.get(others[0]!),
    ]);
    expect(orders.queries.statements).toHaveLength(2);

    orders.queries.reset();
    await ordersOf(users, '(first: 50)', `totalCount ${HEAVY}`, ADMIN);
    // totalCount is counted only when selected, for all users in one more statement.
    expect(orders.queries.statements).toHaveLength(3);
  });

  it('loads different pages of one user in one statement', async () => {
    const second = await ordersOf([CUSTOMER.userId], '(first: 5)', 'pageInfo { endCursor }', CUSTOMER);
    const cursor = second.data!._entities[0]!.orders.pageInfo.endCursor;
    orders.queries.reset();
    const result = await orders.entities<{ a: Connection; b: Connection }>(
      [{ __typename: 'User', id: CUSTOMER.userId }],
      `... on User {
        a: orders(first: 2) { edges { node { id } } }
        b: orders(first: 3, after: "${cursor}") { edges { node { id } } }
      }`,
      { as: CUSTOMER },
    );
    expect(result.data!._entities[0]).toEqual({
      a: { edges: mine.slice(0, 2).map((id) => ({ node: { id } })) },
      b: { edges: mine.slice(5, 8).map((id) => ({ node: { id } })) },
    });
    expect(orders.queries.statements).toHaveLength(1);
  });
});

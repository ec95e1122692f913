import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { TestSubgraph } from '@supergraph/testing';
import { SEED_NOTIFICATION_IDS } from '../src/seed.ts';
import {
  ADMIN,
  CUSTOMER,
  insertNotifications,
  minutesFrom,
  NOTIFICATION_FIELDS,
  OTHER_CUSTOMER,
  openSubgraphDatabase,
  startNotifications,
} from './notifications-fixture.ts';

interface NotificationView {
  id: string;
  kind: string;
  subject: string;
  body: string;
  status: string;
  createdAt: string;
  sentAt: string | null;
}

interface UserView {
  id: string;
  notifications: NotificationView[];
}

let subgraph: TestSubgraph;
let orm: Database;
/** The customer's notifications, newest first: 23 inserted here after the 2 seeded ones. */
let customerFeed: string[];
let otherFeed: string[];

/** A third customer with no notifications at all. */
const NEWCOMER = '00000000-0000-4000-8000-000000000004';

beforeAll(async () => {
  subgraph = await startNotifications({ seed: true });
  orm = await openSubgraphDatabase(subgraph);
  const em = orm.em.fork();
  const added = await insertNotifications(em, CUSTOMER.userId, minutesFrom('2026-11-02T08:00:00Z', 23));
  customerFeed = [
    ...added.reverse(),
    SEED_NOTIFICATION_IDS.customerOrderConfirmed,
    SEED_NOTIFICATION_IDS.customerWelcome,
  ];
  otherFeed = (
    await insertNotifications(em, OTHER_CUSTOMER.userId, minutesFrom('2026-11-03T08:00:00Z', 3))
  ).reverse();
});

afterAll(async () => {
  await orm?.close();
  await subgraph?.stop();
});

function userNotifications(ids: string[], as: typeof CUSTOMER | null, args = '', fields = 'id') {
  return subgraph.entities<UserView>(
    ids.map((id) => ({ __typename: 'User', id })),
    `... on User { id notifications${args} { ${fields} } }`,
    { as },
  );
}

const idsOf = (user: UserView | null | undefined) =>
  user?.notifications.map((notification) => notification.id);

describe('User.notifications', () => {
  it('gives a customer their own notifications, newest first, with every field', async () => {
    const result = await userNotifications([CUSTOMER.userId], CUSTOMER, '(first: 25)', NOTIFICATION_FIELDS);
    expect(result.errors).toBeUndefined();
    const user = result.data!._entities[0]!;
    expect(idsOf(user)).toEqual(customerFeed);
    expect(user.notifications.slice(-2)).toEqual([
      {
        id: SEED_NOTIFICATION_IDS.customerOrderConfirmed,
        kind: 'ORDER_CONFIRMED',
        subject: 'Your order is confirmed: 41.70 EUR',
        body: expect.stringContaining('Order: 00000000-0000-4000-8004-000000000001\nTotal: 41.70 EUR\n'),
        status: 'SENT',
        createdAt: '2026-11-01T10:00:10.000Z',
        sentAt: '2026-11-01T10:00:10.000Z',
      },
      {
        id: SEED_NOTIFICATION_IDS.customerWelcome,
        kind: 'WELCOME',
        subject: 'Welcome to Supergraph Shop, Casey Customer',
        body: expect.stringMatching(/^Hi Casey Customer,\n/),
        status: 'SENT',
        createdAt: '2026-10-31T09:00:00.000Z',
        sentAt: '2026-10-31T09:00:00.000Z',
      },
    ]);
  });

  it('returns 20 by default and `first` newest otherwise', async () => {
    const byDefault = await userNotifications([CUSTOMER.userId], CUSTOMER);
    expect(idsOf(byDefault.data!._entities[0])).toEqual(customerFeed.slice(0, 20));
    const explicitNull = await userNotifications([CUSTOMER.userId], CUSTOMER, '(first: null)');
    expect(idsOf(explicitNull.data!._entities[0])).toEqual(customerFeed.slice(0, 20));
    const three = await userNotifications([CUSTOMER.userId], CUSTOMER, '(first: 3)');
    expect(idsOf(three.data!._entities[0])).toEqual(customerFeed.slice(0, 3));
    const all = await userNotifications([CUSTOMER.userId], CUSTOMER, '(first: 100)');
    expect(idsOf(all.data!._entities[0])).toEqual(customerFeed);
  });

  it('accepts the user id in upper case', async () => {
    const result = await userNotifications([CUSTOMER.userId.toUpperCase()], CUSTOMER, '(first: 2)');
    expect(result.errors).toBeUndefined();
    expect(idsOf(result.data!._entities[0])).toEqual(customerFeed.slice(0, 2));
  });

  it('is an empty list for a user with none', async () => {
    const result = await userNotifications([NEWCOMER], { userId: NEWCOMER, role: 'CUSTOMER' });
    expect(result.data!._entities).toEqual([{ id: NEWCOMER, notifications: [] }]);
  });

  it("gives an admin anyone's notifications", async () => {
    const result = await userNotifications([OTHER_CUSTOMER.userId, ADMIN.userId, 'not-a-uuid'], ADMIN);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id: OTHER_CUSTOMER.userId, notifications: otherFeed.map((id) => ({ id })) },
      { id: ADMIN.userId, notifications: [{ id: SEED_NOTIFICATION_IDS.adminWelcome }] },
      { id: 'not-a-uuid', notifications: [] },
    ]);
  });

  it("refuses another customer's notifications with FORBIDDEN, and answers the caller's own beside it", async () => {
    const result = await userNotifications([CUSTOMER.userId, OTHER_CUSTOMER.userId], CUSTOMER, '(first: 1)');
    expect(result.data!._entities).toEqual([
      { id: CUSTOMER.userId, notifications: [{ id: customerFeed[0] }] },
      null,
    ]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toMatchObject({
      message: 'You can only see your own notifications.',
      path: ['_entities', 1, 'notifications'],
      extensions: { code: 'FORBIDDEN' },
    });
    expect(JSON.stringify(result)).not.toContain(otherFeed[0]);
  });

  it('refuses an anonymous caller with UNAUTHENTICATED', async () => {
    const result = await userNotifications([CUSTOMER.userId], null);
    expect(result.data!._entities).toEqual([null]);
    expect(result.errors![0]).toMatchObject({
      message: 'You must be signed in to see notifications.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it.each([0, -1, 101])('refuses first: %i with BAD_USER_INPUT naming the range', async (first) => {
    const result = await userNotifications([CUSTOMER.userId], CUSTOMER, `(first: ${first})`);
    expect(result.errors![0]!.message).toBe(`first must be between 1 and 100; got ${first}`);
    expect(result.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['first'] });
  });

  it('checks who asks before what they ask', async () => {
    const result = await userNotifications([OTHER_CUSTOMER.userId], CUSTOMER, '(first: 0)');
    expect(result.errors![0]!.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('batching', () => {
  it('loads the notifications of several users referenced at once in ONE statement', async () => {
    subgraph.queries.reset();
    const result = await userNotifications(
      [CUSTOMER.userId, OTHER_CUSTOMER.userId, ADMIN.userId, NEWCOMER, CUSTOMER.userId],
      ADMIN,
      '(first: 2)',
      'id kind status createdAt',
    );
    expect(result.errors).toBeUndefined();
    expect(subgraph.queries.statements).toHaveLength(1);
    expect(subgraph.queries.statements[0]).toMatch(/row_number\(\) over \(partition by n\.user_id/);
    expect(result.data!._entities.map(idsOf)).toEqual([
      customerFeed.slice(0, 2),
      otherFeed.slice(0, 2),
      [SEED_NOTIFICATION_IDS.adminWelcome],
      [],
      customerFeed.slice(0, 2),
    ]);
  });

  it('serves different page sizes in one request from one statement', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities<{ recent: Array<{ id: string }>; more: Array<{ id: string }> }>(
      [
        { __typename: 'User', id: CUSTOMER.userId },
        { __typename: 'User', id: OTHER_CUSTOMER.userId },
      ],
      '... on User { recent: notifications(first: 1) { id } more: notifications(first: 3) { id } }',
      { as: ADMIN },
    );
    expect(subgraph.queries.statements).toHaveLength(1);
    expect(result.data!._entities).toEqual([
      { recent: [{ id: customerFeed[0] }], more: customerFeed.slice(0, 3).map((id) => ({ id })) },
      { recent: [{ id: otherFeed[0] }], more: otherFeed.map((id) => ({ id })) },
    ]);
  });

  it('resolves User references that ask for nothing of ours without any SQL', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities(
      [
        { __typename: 'User', id: CUSTOMER.userId },
        { __typename: 'User', id: OTHER_CUSTOMER.userId },
      ],
      '... on User { id }',
      { as: CUSTOMER },
    );
    expect(result.data!._entities).toEqual([{ id: CUSTOMER.userId }, { id: OTHER_CUSTOMER.userId }]);
    expect(subgraph.queries.statements).toHaveLength(0);
  });
});

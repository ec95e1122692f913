import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Database } from '@supergraph/db';
import type { TestSubgraph } from '@supergraph/testing';
import { SEED_NOTIFICATION_IDS } from '../src/seed.ts';
import {
  ADMIN,
  CUSTOMER,
  insertNotifications,
  minutesFrom,
  OTHER_CUSTOMER,
  openSubgraphDatabase,
  startNotifications,
} from './notifications-fixture.ts';

let subgraph: TestSubgraph;
let orm: Database;
let othersIds: string[];

beforeAll(async () => {
  subgraph = await startNotifications({ seed: true });
  orm = await openSubgraphDatabase(subgraph);
  othersIds = await insertNotifications(
    orm.em.fork(),
    OTHER_CUSTOMER.userId,
    minutesFrom('2026-11-05T12:00:00Z', 2),
  );
});

afterAll(async () => {
  await orm?.close();
  await subgraph?.stop();
});

const reference = (id: string) => ({ __typename: 'Notification', id });
const SELECTION = '... on Notification { id kind subject status sentAt }';

describe('Notification _entities', () => {
  it('resolves a notification for its recipient', async () => {
    const result = await subgraph.entities([reference(SEED_NOTIFICATION_IDS.customerWelcome)], SELECTION, {
      as: CUSTOMER,
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      {
        id: SEED_NOTIFICATION_IDS.customerWelcome,
        kind: 'WELCOME',
        subject: 'Welcome to Supergraph Shop, Casey Customer',
        status: 'SENT',
        sentAt: '2026-10-31T09:00:00.000Z',
      },
    ]);
  });

  it("answers null, in place, for another customer's, an unknown and a malformed id", async () => {
    const result = await subgraph.entities(
      [
        reference(othersIds[0]!),
        reference(SEED_NOTIFICATION_IDS.customerOrderConfirmed.toUpperCase()),
        reference('00000000-0000-4000-8006-999999999999'),
        reference('not-a-uuid'),
        reference(SEED_NOTIFICATION_IDS.adminWelcome),
      ],
      '... on Notification { id kind }',
      { as: CUSTOMER },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      null,
      { id: SEED_NOTIFICATION_IDS.customerOrderConfirmed, kind: 'ORDER_CONFIRMED' },
      null,
      null,
      null,
    ]);
  });

  it("gives an admin anyone's notification", async () => {
    const result = await subgraph.entities(
      [reference(othersIds[1]!), reference(SEED_NOTIFICATION_IDS.customerWelcome)],
      '... on Notification { id }',
      { as: ADMIN },
    );
    expect(result.data!._entities).toEqual([
      { id: othersIds[1] },
      { id: SEED_NOTIFICATION_IDS.customerWelcome },
    ]);
  });

  it('answers null to an anonymous caller, without asking the database', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities([reference(SEED_NOTIFICATION_IDS.customerWelcome)], SELECTION, {
      as: null,
    });
    expect(result.data!._entities).toEqual([null]);
    expect(subgraph.queries.statements).toHaveLength(0);
  });

  it('loads many references with one statement', async () => {
    subgraph.queries.reset();
    const ids = [...Object.values(SEED_NOTIFICATION_IDS), ...othersIds];
    const result = await subgraph.entities(ids.map(reference), '... on Notification { id }', { as: ADMIN });
    expect(result.data!._entities).toEqual(ids.map((id) => ({ id })));
    expect(subgraph.queries.statements).toHaveLength(1);
  });
});

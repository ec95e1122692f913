import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import pg from 'pg';
import { queueName } from '@supergraph/events';
import { eventually, generateSigningKeyPem, startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { startUsersSubgraph } from '../src/app.ts';
import { loadEnv } from '../src/env.ts';

// Registration announces itself with UserRegistered, written in the transaction that creates the
// account, and the subgraph's own relay publishes it to the notifications queue.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let users: TestSubgraph;
let db: pg.Client;
let notifications: Queue;

beforeAll(async () => {
  users = await startTestSubgraph('users', (env, { onQuery }) =>
    startUsersSubgraph(loadEnv({ ...env, JWT_PRIVATE_KEY: generateSigningKeyPem() }), { onQuery }),
  );
  db = new pg.Client({ connectionString: users.schema.clientUrl });
  await db.connect();
  // The relay publishes under the test's prefix (the schema name), so nothing else sees these jobs.
  notifications = new Queue(queueName('notifications'), {
    connection: { url: REDIS_URL },
    prefix: users.schema.name,
  });
});

afterAll(async () => {
  await notifications?.obliterate({ force: true }).catch(() => {});
  await notifications?.close();
  await db?.end();
  await users?.stop();
});

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { user { id email name } } }`;

function register(email: string, name = 'Test Shopper') {
  return users.run<{ register: { user: { id: string; email: string; name: string } } }>(REGISTER, {
    variables: { input: { email, name, password: 'correct horse battery' } },
  });
}

interface OutboxRow {
  id: string;
  type: string;
  envelope: Record<string, unknown>;
  published_at: Date | null;
}

async function outboxFor(email: string): Promise<OutboxRow[]> {
  const result = await db.query<OutboxRow>(
    `select id, type, envelope, published_at from "${users.schema.name}".outbox_event
     where envelope->'data'->>'email' = $1 order by created_at`,
    [email],
  );
  return result.rows;
}

describe('UserRegistered', () => {
  it('is written once, with the new account, when a registration succeeds', async () => {
    const result = await register('Frank@Example.com ', '  Frank  ');
    expect(result.errors).toBeUndefined();
    const { user } = result.data!.register;

    const rows = await outboxFor('frank@example.com');
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row!.type).toBe('UserRegistered');
    expect(row!.envelope).toEqual({
      id: row!.id,
      type: 'UserRegistered',
      version: 1,
      occurredAt: expect.any(String),
      data: { userId: user.id, email: 'frank@example.com', name: 'Frank' },
    });
  });

  it('is not written when the registration fails for a taken email', async () => {
    expect((await register('grace@example.com')).errors).toBeUndefined();
    const refused = await register('GRACE@example.com');
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await outboxFor('grace@example.com')).toHaveLength(1);
  });

  it('is written once when several registrations race for one email and the unique index decides', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => register('heidi@example.com')));
    const accepted = results.filter((result) => !result.errors);
    expect(accepted).toHaveLength(1);
    for (const result of results.filter((r) => r.errors)) {
      expect(result.errors?.[0]?.message).toBe('An account with email heidi@example.com already exists.');
    }
    const rows = await outboxFor('heidi@example.com');
    expect(rows).toHaveLength(1);
    expect((rows[0]!.envelope.data as { userId: string }).userId).toBe(accepted[0]!.data!.register.user.id);
  });

  it('is published to the notifications queue with job id = event id, and marked published', async () => {
    const result = await register('ivan@example.com');
    expect(result.errors).toBeUndefined();
    const [row] = await outboxFor('ivan@example.com');

    const job = await eventually(async () => (await notifications.getJob(row!.id)) ?? undefined);
    expect(job.id).toBe(row!.id);
    expect(job.name).toBe('UserRegistered');
    expect(job.data).toEqual(row!.envelope);
    const published = await eventually(async () => {
      const [current] = await outboxFor('ivan@example.com');
      return current?.published_at ?? undefined;
    });
    expect(published).toBeInstanceOf(Date);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestSchema, type TestSchema } from '@supergraph/testing';

let mine: TestSchema;
let other: TestSchema;

async function as<T>(schema: TestSchema, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: schema.clientUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

beforeAll(async () => {
  [mine, other] = await Promise.all([createTestSchema('mine'), createTestSchema('other')]);
  await as(other, (client) =>
    client.query(
      `create table "${other.name}".secret (value text); insert into "${other.name}".secret values ('x')`,
    ),
  );
});

afterAll(async () => {
  await Promise.all([mine?.drop(), other?.drop()]);
});

describe('a subgraph role', () => {
  it('reads and writes its own schema', async () => {
    const rows = await as(mine, async (client) => {
      await client.query(`create table "${mine.name}".item (id int primary key)`);
      await client.query(`insert into "${mine.name}".item values (1)`);
      return (await client.query(`select id from "${mine.name}".item`)).rows;
    });
    expect(rows).toEqual([{ id: 1 }]);
  });

  it("cannot read or write another subgraph's schema", async () => {
    await as(mine, async (client) => {
      expect(await sqlState(client.query(`select * from "${other.name}".secret`))).toBe('42501');
      expect(await sqlState(client.query(`create table "${other.name}".intruder (id int)`))).toBe('42501');
    });
  });

  it('cannot create anything in the public schema', async () => {
    await as(mine, async (client) => {
      expect(await sqlState(client.query('create table public.stray (id int)'))).toBe('42501');
    });
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import pg from 'pg';
import { withDatabaseName } from '@supergraph/db';
import {
  createTestSchema,
  TEST_ADMIN_DATABASE_URL,
  TEST_DATABASE,
  type TestSchema,
  type TestSubgraph,
} from '@supergraph/testing';
import { startProducts } from './products-fixture.ts';

// DESIGN section 3: each subgraph's role reaches its own schema only. These run as that role, the way
// the subgraph connects, against another subgraph's schema set up by an administrator.
let subgraph: TestSubgraph;
let other: TestSchema;
let role: pg.Client;

async function asAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: withDatabaseName(TEST_ADMIN_DATABASE_URL, TEST_DATABASE),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function sqlStateOf(statement: Promise<unknown>): Promise<string | undefined> {
  try {
    await statement;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

beforeAll(async () => {
  subgraph = await startProducts({ seed: true });
  other = await createTestSchema('other');
  await asAdmin(async (client) => {
    await client.query(`create table "${other.name}".secret (id int primary key, value text)`);
    await client.query(`insert into "${other.name}".secret values (1, 'not for products')`);
  });
  role = new pg.Client({ connectionString: subgraph.schema.clientUrl });
  await role.connect();
});

afterAll(async () => {
  await role?.end();
  await other?.drop();
  await subgraph?.stop();
});

describe("the products subgraph's database role", () => {
  it('reads its own schema', async () => {
    const result = await role.query(`select count(*)::int as count from "${subgraph.schema.name}".product`);
    expect(result.rows[0].count).toBeGreaterThanOrEqual(24);
  });

  it("cannot read another subgraph's schema (permission denied, 42501)", async () => {
    expect(await sqlStateOf(role.query(`select * from "${other.name}".secret`))).toBe('42501');
  });

  it("cannot create a table in another subgraph's schema or in public", async () => {
    expect(await sqlStateOf(role.query(`create table "${other.name}".planted (id int)`))).toBe('42501');
    expect(await sqlStateOf(role.query('create table public.planted (id int)'))).toBe('42501');
  });

  it('leaves the other schema as it was', async () => {
    const rows = await asAdmin((client) => client.query(`select value from "${other.name}".secret`));
    expect(rows.rows).toEqual([{ value: 'not for products' }]);
  });
});

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestSchema, type TestSchema } from '@supergraph/testing';
import { SUBGRAPHS } from './support/shop.ts';

// Each subgraph's migration Job (deploy/base/<name>/migrate.yaml) runs `node subgraphs/<name>/src/migrate.ts`
// with only DATABASE_URL and DATABASE_SCHEMA: it migrates the schema, says so in one line and exits.

const run = promisify(execFile);
const schemas: TestSchema[] = [];

function migrate(name: string, env: Record<string, string>) {
  return run(process.execPath, [`subgraphs/${name}/src/migrate.ts`], {
    cwd: new URL('..', import.meta.url).pathname,
    // Nothing but what the Job sets: no INTERNAL_SECRET, no Redis, no signing key.
    env: { PATH: process.env.PATH ?? '', ...env },
  });
}

async function tablesIn(schema: TestSchema): Promise<string[]> {
  const client = new pg.Client({ connectionString: schema.clientUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by 1',
      [schema.name],
    );
    return rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  for (const name of SUBGRAPHS) schemas.push(await createTestSchema(name));
});

afterAll(async () => {
  for (const schema of schemas) await schema.drop();
});

describe('migration jobs', () => {
  it('migrates each subgraph schema from empty, and again finds nothing to do', async () => {
    await Promise.all(
      SUBGRAPHS.map(async (name, index) => {
        const schema = schemas[index]!;
        const env = { DATABASE_URL: schema.clientUrl, DATABASE_SCHEMA: schema.name };
        const first = await migrate(name, env);
        expect(first.stdout).toMatch(
          new RegExp(
            `^${name}-migrate: schema ${schema.name} is up to date \\(\\d+ migrations applied\\)\\n$`,
          ),
        );
        expect(await tablesIn(schema)).toContain('mikro_orm_migrations');
        const again = await migrate(name, env);
        expect(again.stdout).toBe(first.stdout);
      }),
    );
    // Each domain's own tables are there, e.g. orders' and the outbox of those that emit events.
    expect(await tablesIn(schemas[SUBGRAPHS.indexOf('orders')]!)).toEqual(
      expect.arrayContaining(['customer_order', 'order_item', 'outbox_event']),
    );
  });

  it('fails with one line, not a stack trace, when Postgres cannot be reached or the URL is wrong', async () => {
    const unreachable = migrate('orders', {
      DATABASE_URL: 'postgres://orders:orders@127.0.0.1:1/supergraph',
    });
    await expect(unreachable).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^orders-migrate: cannot start: .*\n$/),
    });
    const wrong = migrate('orders', { DATABASE_URL: 'mysql://nope' });
    await expect(wrong).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^orders-migrate: cannot start: invalid configuration: DATABASE_URL: must be a postgres:\/\/ URL.*\n$/,
      ),
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { openDatabase, type Database } from '@supergraph/db';
import {
  createTestSchema,
  generateSigningKeyPem,
  startTestSubgraph,
  TEST_ADMIN_DATABASE_URL,
  type TestSchema,
  type TestSubgraph,
} from '@supergraph/testing';
import { loadEnv as inventoryEnv } from '../subgraphs/inventory/src/env.ts';
import { loadEnv as notificationsEnv } from '../subgraphs/notifications/src/env.ts';
import { loadEnv as ordersEnv } from '../subgraphs/orders/src/env.ts';
import { loadEnv as paymentsEnv } from '../subgraphs/payments/src/env.ts';
import { startProductsSubgraph } from '../subgraphs/products/src/app.ts';
import { entities as productsEntities } from '../subgraphs/products/src/entities.ts';
import { loadEnv as productsEnv } from '../subgraphs/products/src/env.ts';
import { loadEnv as usersEnv } from '../subgraphs/users/src/env.ts';
import { runProcess } from './support/run-process.ts';

// Each subgraph process (API and worker) sizes its Postgres pool from DATABASE_POOL_MAX and gives up
// waiting for a connection after DATABASE_POOL_ACQUIRE_TIMEOUT_MS, so an operator can keep every
// replica together under the server's max_connections.

const required = {
  DATABASE_URL: 'postgres://orders:orders@127.0.0.1:5432/supergraph',
  INTERNAL_SECRET: 'x'.repeat(40),
  JWT_PRIVATE_KEY: generateSigningKeyPem(),
};

const LOAD_ENV = {
  users: usersEnv,
  products: productsEnv,
  inventory: inventoryEnv,
  orders: ordersEnv,
  payments: paymentsEnv,
  notifications: notificationsEnv,
};

describe('the pool settings', () => {
  it.each(Object.entries(LOAD_ENV))('%s reads them: 10 connections and 10 s unless set', (_name, loadEnv) => {
    expect(loadEnv(required)).toMatchObject({
      DATABASE_POOL_MAX: 10,
      DATABASE_POOL_ACQUIRE_TIMEOUT_MS: 10_000,
    });
    expect(
      loadEnv({ ...required, DATABASE_POOL_MAX: '4', DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '2500' }),
    ).toMatchObject({ DATABASE_POOL_MAX: 4, DATABASE_POOL_ACQUIRE_TIMEOUT_MS: 2500 });
  });

  it.each([
    ['orders', 'subgraphs/orders/src/main.ts'],
    ['orders-worker', 'subgraphs/orders/src/worker-main.ts'],
  ])('%s refuses a bad pool with one line naming the variables and their bounds', async (name, entry) => {
    const { code, stderr } = await runProcess(entry, {
      ...required,
      DATABASE_POOL_MAX: '0',
      DATABASE_POOL_ACQUIRE_TIMEOUT_MS: 'soon',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `${name}: cannot start: invalid configuration: ` +
        'DATABASE_POOL_MAX: must be a whole number of connections from 1 to 100; ' +
        'DATABASE_POOL_ACQUIRE_TIMEOUT_MS: must be a whole number of milliseconds from 100 to 120000',
    ]);
  });
});

describe('a subgraph with DATABASE_POOL_MAX=2', () => {
  let products: TestSubgraph;
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });

  beforeAll(async () => {
    await admin.connect();
    products = await startTestSubgraph('products', (env, hooks) =>
      startProductsSubgraph(productsEnv({ ...env, SEED_ON_START: 'true', DATABASE_POOL_MAX: '2' }), hooks),
    );
  });

  afterAll(async () => {
    await products?.stop();
    await admin.end();
  });

  it('answers twenty requests at once on two connections', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        products.run<{ products: { totalCount: number } }>('{ products(first: 50) { totalCount } }'),
      ),
    );
    expect(results.every((result) => result.data!.products.totalCount > 0)).toBe(true);
    // The pool keeps idle connections open for a while: what it opened is still there to count.
    const { rows } = await admin.query<{ connections: number }>(
      'select count(*)::int as connections from pg_stat_activity where usename = $1',
      [products.schema.name],
    );
    expect(rows[0]!.connections).toBeGreaterThanOrEqual(1);
    expect(rows[0]!.connections).toBeLessThanOrEqual(2);
  });
});

describe('a pool whose connections are all taken', () => {
  let schema: TestSchema;
  let orm: Database;

  beforeAll(async () => {
    schema = await createTestSchema('pool');
    orm = await openDatabase({
      clientUrl: schema.clientUrl,
      schema: schema.name,
      entities: productsEntities,
      migrationsPath: new URL('../subgraphs/products/migrations', import.meta.url).pathname,
      poolMax: 1,
      acquireTimeoutMs: 200,
    });
  });

  afterAll(async () => {
    await orm?.close();
    await schema?.drop();
  });

  it('fails a statement that waited the acquire timeout, instead of queueing it for ever', async () => {
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const transaction = orm.em.fork().transactional(async (em) => {
      await em.execute('select 1');
      holding();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await held;
    await expect(orm.em.fork().execute('select 1')).rejects.toThrow(
      /timeout exceeded when trying to connect/,
    );
    release();
    await transaction;
    // The connection is back: the next statement gets it.
    await expect(orm.em.fork().execute('select 1 as one')).resolves.toEqual([{ one: 1 }]);
  });
});

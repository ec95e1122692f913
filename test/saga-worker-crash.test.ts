import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { withDatabaseName } from '@supergraph/db';
import { eventually, TEST_ADMIN_DATABASE_URL, TEST_DATABASE } from '@supergraph/testing';
import { sagaDatabase } from './support/saga-invariants.ts';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { startShop, type Shop } from './support/shop.ts';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.ts';

// A worker killed (SIGKILL) in the middle of a job: its transaction dies with it, BullMQ hands the job
// to another worker once the lock expires, and the effect happens exactly once.

let shop: Shop;
let db: Awaited<ReturnType<typeof sagaDatabase>>;
const children: WorkerProcess[] = [];

/** Inventory's worker as a real process, its job locks short so that a killed one's job is soon retried. */
async function startInventoryWorkerProcess(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess('inventory', {
    ...shop.workerEnv('inventory'),
    EVENT_LOCK_MS: '2000',
  });
  children.push(worker);
  return worker;
}

beforeAll(async () => {
  // Every worker but inventory's runs in this process; inventory's runs as a real process to kill.
  shop = await startShop({ workers: ['orders', 'payments', 'notifications'] });
  db = await sagaDatabase(shop);
}, 90_000);

afterAll(async () => {
  for (const child of children) await child.kill();
  await db?.close();
  await shop?.stop();
});

describe('a worker killed during a job', () => {
  it('has the job retried by another worker and its effect happen exactly once', async () => {
    const customer = await shop.register('crash@example.com');
    const inventory = db.schema('inventory');
    const [{ available: before } = { available: 0 }] = await db.rows<{ available: number }>(
      `select available from ${inventory}.stock_level where product_id = $1`,
      [SEED_PRODUCT_IDS.linenTowels],
    );

    // Hold the product's stock row so the worker's reservation blocks inside its transaction.
    const blocker = new pg.Client({
      connectionString: withDatabaseName(TEST_ADMIN_DATABASE_URL, TEST_DATABASE),
    });
    await blocker.connect();
    await blocker.query('begin');
    await blocker.query(`select * from ${inventory}.stock_level where product_id = $1 for update`, [
      SEED_PRODUCT_IDS.linenTowels,
    ]);

    const first = await startInventoryWorkerProcess();
    const placed = await shop.client<{ placeOrder: { id: string } }>(
      'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      {
        variables: { input: { items: [{ productId: SEED_PRODUCT_IDS.linenTowels, quantity: 2 }] } },
        token: customer.token,
      },
    );
    const orderId = placed.data!.placeOrder.id;

    // The job is in the middle of its transaction: a backend of the worker waits for our row lock.
    await eventually(async () => {
      const waiting = await db.rows(
        `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%stock_level%'`,
      );
      return waiting.length > 0 ? true : undefined;
    }, 20_000);
    await first.kill();
    await blocker.query('commit');
    await blocker.end();

    await startInventoryWorkerProcess();
    await eventually(async () => {
      const [row] = await db.orderStatuses([orderId]);
      return row?.status === 'CONFIRMED' ? row : undefined;
    }, 60_000);

    const reserved = await db.rows<{ count: number }>(
      `select count(*)::int as count from ${inventory}.reservation_line where order_id = $1`,
      [orderId],
    );
    expect(reserved).toEqual([{ count: 1 }]);
    const events = await db.rows<{ count: number }>(
      `select count(*)::int as count from ${inventory}.outbox_event
       where type = 'InventoryReserved' and envelope->'data'->>'orderId' = $1`,
      [orderId],
    );
    expect(events).toEqual([{ count: 1 }]);
    const [{ available: after } = { available: 0 }] = await db.rows<{ available: number }>(
      `select available from ${inventory}.stock_level where product_id = $1`,
      [SEED_PRODUCT_IDS.linenTowels],
    );
    expect(after).toBe(before - 2);
  }, 120_000);
});

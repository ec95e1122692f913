import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { queueName, type EventWorker } from '@supergraph/events';
import { eventually } from '@supergraph/testing';
import { startPaymentsWorker } from '../subgraphs/payments/src/worker.ts';
import { loadEnv as loadPaymentsEnv } from '../subgraphs/payments/src/env.ts';
import { sagaDatabase } from './support/saga-invariants.ts';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { startShop, type Shop } from './support/shop.ts';

// A saga stopped in the middle (the job that carried it on was lost, and nothing else will bring it
// back) is found by the orders worker's sweeper and re-driven from what each domain recorded: the
// re-driven OrderPlaced reaches inventory, which decided before and publishes that decision again, which
// reaches payments, which had never seen it and authorizes the payment, and the order is confirmed.

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let shop: Shop;
let db: Awaited<ReturnType<typeof sagaDatabase>>;
let payments: EventWorker | undefined;

beforeAll(async () => {
  shop = await startShop({
    workers: ['inventory', 'orders', 'notifications'],
    env: {
      // Only the sweeper brings the saga back here: the relays' delivery checks would find the lost
      // job first (saga-redis-loss.test.ts shows that), so they wait longer than the test.
      OUTBOX_DELIVERY_CHECK_MS: '3600000',
      SAGA_SWEEP_INTERVAL_MS: '500',
      SAGA_REDRIVE_AFTER_MS: '2000',
      SAGA_CANCEL_AFTER_MS: '600000',
    },
  });
  db = await sagaDatabase(shop);
}, 90_000);

afterAll(async () => {
  await payments?.stop();
  await db?.close();
  await shop?.stop();
});

describe('the saga sweeper in the whole shop', () => {
  it('re-drives a saga whose job was lost through every domain until the order is confirmed', async () => {
    const customer = await shop.register('redrive@example.com');
    const placed = await shop.client<{ placeOrder: { id: string } }>(
      'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      {
        variables: { input: { items: [{ productId: SEED_PRODUCT_IDS.stonewareMug, quantity: 1 }] } },
        token: customer.token,
      },
    );
    const orderId = placed.data!.placeOrder.id;

    // Inventory reserves the stock; its InventoryReserved waits for payments, whose worker is not
    // running, and is lost there.
    const paymentsQueue = new Queue(queueName('payments'), {
      connection: { url: REDIS_URL },
      prefix: shop.prefix,
    });
    try {
      const reserved = await eventually(async () => {
        const [row] = await db.rows<{ id: string }>(
          `select id from ${db.schema('inventory')}.outbox_event
           where type = 'InventoryReserved' and envelope->'data'->>'orderId' = $1 and published_at is not null`,
          [orderId],
        );
        return row && (await paymentsQueue.getJobState(row.id)) === 'waiting' ? row : undefined;
      });
      await paymentsQueue.remove(reserved.id);
      payments = await startPaymentsWorker(loadPaymentsEnv(shop.workerEnv('payments')));

      const [order] = await eventually(async () => {
        const rows = await db.orderStatuses([orderId]);
        return rows[0]?.status === 'CONFIRMED' ? rows : undefined;
      }, 60_000);
      expect(order?.status).toBe('CONFIRMED');

      // Inventory published its decision again (a re-drive of its own), and nothing was reserved twice.
      const [event] = await db.rows<{ redrives: number }>(
        `select redrives from ${db.schema('inventory')}.outbox_event where id = $1`,
        [reserved.id],
      );
      expect(event?.redrives).toBeGreaterThanOrEqual(1);
      const lines = await db.rows(
        `select 1 from ${db.schema('inventory')}.reservation_line where order_id = $1`,
        [orderId],
      );
      expect(lines).toHaveLength(1);
      const paid = await db.rows<{ status: string }>(
        `select status from ${db.schema('payments')}.payment where order_id = $1`,
        [orderId],
      );
      expect(paid).toEqual([{ status: 'AUTHORIZED' }]);
      // The orders worker counts and logs each re-drive.
      const metrics = await (await fetch(new URL('/metrics', shop.workers[1]!.url))).text();
      expect(metrics).toMatch(/saga_stalled_orders_total\{action="redriven"[^}]*\} [1-9]/);
    } finally {
      await paymentsQueue.close();
    }
  }, 120_000);
});

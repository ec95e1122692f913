import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { eventually } from '@supergraph/testing';
import { placeBurst } from './support/order-burst.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { sagaDatabase } from './support/saga-invariants.ts';
import { startShop, type Shop } from './support/shop.ts';

// Redis is a transport, not the record. It loses what it holds while customers keep ordering: flushed
// (as a failover to a replica that lags does), or restarted without persistence. Every order the shop
// accepted still settles, from what Postgres holds, and the saga's invariants hold.

const CUSTOMERS = 4;
const ORDERS_PER_CUSTOMER = 12;

let redis: PrivateRedis;
let shop: Shop;
let db: Awaited<ReturnType<typeof sagaDatabase>>;
let customers: Array<{ id: string; token: string }>;

beforeAll(async () => {
  redis = await startPrivateRedis();
  shop = await startShop({
    workers: true,
    redisUrl: redis.url,
    // The sweeper runs, but its bounds are past what these tests need: the relays' delivery checks
    // bring every lost job back well before.
    env: { SAGA_SWEEP_INTERVAL_MS: '1000', SAGA_REDRIVE_AFTER_MS: '60000', SAGA_CANCEL_AFTER_MS: '600000' },
  });
  db = await sagaDatabase(shop);
  customers = [];
  for (let index = 0; index < CUSTOMERS; index += 1)
    customers.push(await shop.register(`loss-${index}@example.com`));
}, 120_000);

afterAll(async () => {
  await db?.close();
  await shop?.stop();
  await redis?.kill();
});

/** Every accepted order, once none is PENDING any more. */
const settled = (ids: string[]) =>
  eventually(async () => {
    const rows = await db.orderStatuses(ids);
    return rows.length === ids.length && rows.every((row) => row.status !== 'PENDING') ? rows : undefined;
  }, 120_000);

/** The saga's invariants once they hold (notifications trail by a hop), or what is still violated. */
const invariants = (stockBefore: Record<string, number>) =>
  eventually(async () => ((await db.violations(stockBefore)).length === 0 ? [] : undefined), 60_000).catch(
    () => db.violations(stockBefore),
  );

async function timedOut(ids: string[]): Promise<number> {
  const rows = await db.rows(
    `select 1 from ${db.schema('orders')}.customer_order
     where id = any($1) and cancellation_reason like 'Checkout timed out%'`,
    [ids],
  );
  return rows.length;
}

describe('Redis losing its data during a burst of orders', () => {
  it('settles every order when Redis is flushed mid-burst', async () => {
    const stockBefore = await db.stockTotals();
    const flusher = new Redis(redis.url);
    try {
      const ids = await placeBurst(shop, customers, {
        perCustomer: ORDERS_PER_CUSTOMER,
        onAccepted: async (count) => {
          if (count === 16) await flusher.flushall();
        },
      });
      expect(ids).toHaveLength(CUSTOMERS * ORDERS_PER_CUSTOMER);
      const statuses = await settled(ids);
      expect(statuses.filter((row) => row.status === 'CONFIRMED').length).toBeGreaterThan(0);
      // Settled by the saga itself, not by the sweeper's last resort.
      expect(await timedOut(ids)).toBe(0);
      expect(await invariants(stockBefore)).toEqual([]);
    } finally {
      flusher.disconnect();
    }
  }, 240_000);

  it('settles every order when Redis restarts empty mid-burst', async () => {
    const stockBefore = await db.stockTotals();
    const ids = await placeBurst(shop, customers, {
      perCustomer: ORDERS_PER_CUSTOMER,
      onAccepted: async (count) => {
        // Down for a while: orders keep being accepted into the outbox meanwhile.
        if (count === 12) await redis.kill();
        if (count === 24) await redis.start();
      },
    });
    expect(ids).toHaveLength(CUSTOMERS * ORDERS_PER_CUSTOMER);
    await settled(ids);
    expect(await timedOut(ids)).toBe(0);
    expect(await invariants(stockBefore)).toEqual([]);
  }, 240_000);
});

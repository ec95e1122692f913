import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import { startPrivateRedis, type PrivateRedis } from './support/private-redis.ts';
import { sagaDatabase } from './support/saga-invariants.ts';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { startShop, type Shop } from './support/shop.ts';

// Redis goes away while customers keep ordering: every order the API accepts is in the database with
// its outbox event, no request waits on Redis, and every saga completes once Redis is back.

let redis: PrivateRedis;
let shop: Shop;
let db: Awaited<ReturnType<typeof sagaDatabase>>;
let customer: { id: string; token: string };

beforeAll(async () => {
  redis = await startPrivateRedis();
  shop = await startShop({ workers: true, redisUrl: redis.url });
  db = await sagaDatabase(shop);
  customer = await shop.register('outage@example.com');
}, 90_000);

afterAll(async () => {
  await db?.close();
  await shop?.stop();
  await redis?.kill();
});

async function place(): Promise<{ id: string; status: string }> {
  const result = await shop.client<{ placeOrder: { id: string; status: string } }>(
    'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }',
    {
      variables: { input: { items: [{ productId: SEED_PRODUCT_IDS.steelBottle, quantity: 1 }] } },
      token: customer.token,
    },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.placeOrder;
}

const allConfirmed = (ids: string[]) =>
  eventually(async () => {
    const rows = await db.orderStatuses(ids);
    return rows.length === ids.length && rows.every((row) => row.status === 'CONFIRMED') ? rows : undefined;
  }, 60_000);

/** The saga's invariants once they hold, or what is still violated after 30 s. */
const settledInvariants = () =>
  eventually(async () => ((await db.violations()).length === 0 ? [] : undefined), 30_000).catch(() =>
    db.violations(),
  );

describe('Redis unreachable while orders are placed', () => {
  it('accepts orders into the database and the outbox, then completes their sagas when Redis is back', async () => {
    // The saga runs before the outage.
    const before = await place();
    await allConfirmed([before.id]);
    // ...to its last hop (the confirmation notification): this Redis keeps nothing on disk, so a job
    // still queued when it dies is gone. The outage under test is Redis unreachable, not Redis losing data.
    expect(await settledInvariants()).toEqual([]);

    await redis.kill();
    const during: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const order = await place();
      expect(order.status).toBe('PENDING');
      during.push(order.id);
    }
    // Every accepted order is stored with its OrderPlaced event, waiting in the outbox.
    const outbox = await db.rows<{ order_id: string; published: boolean }>(
      `select envelope->'data'->>'orderId' as order_id, published_at is not null as published
       from ${db.schema('orders')}.outbox_event where type = 'OrderPlaced' and envelope->'data'->>'orderId' = any($1)`,
      [during],
    );
    expect(outbox.map((row) => row.order_id).sort()).toEqual([...during].sort());
    expect(outbox.every((row) => !row.published)).toBe(true);
    // The API says it is not ready while its Redis is gone.
    const ready = await fetch(new URL('/ready', shop.subgraphs.orders.url));
    expect(ready.status).toBe(503);

    await redis.start();
    await allConfirmed(during);
    expect(
      await eventually(async () => ((await db.violations()).length === 0 ? [] : undefined), 30_000),
    ).toEqual([]);
  }, 150_000);
});

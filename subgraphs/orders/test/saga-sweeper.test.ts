import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Queue } from 'bullmq';
import type { Database } from '@supergraph/db';
import { OutboxEvent } from '@supergraph/events';
import { createLogger } from '@supergraph/logging';
import type { TestSubgraph } from '@supergraph/testing';
import { Registry } from 'prom-client';
import { startSagaSweeper, timedOutReason, type SagaSweeper } from '../src/saga-sweeper.ts';
import { consumerQueue, eventually, outboxOf } from './events-fixture.ts';
import {
  CUSTOMER,
  fakeCatalog,
  item,
  openOrdersDatabase,
  PLACE_ORDER,
  SEED_PRODUCT_IDS,
  startOrders,
  type OrderView,
} from './orders-fixture.ts';

// No order stays PENDING for ever: past one bound its saga is re-driven from what Postgres holds, past a
// last one it is cancelled with a clear reason and its OrderCancelled compensates.

const logger = createLogger({ name: 'sweeper-test', level: 'silent' });
const catalog = fakeCatalog({ [SEED_PRODUCT_IDS.stonewareMug]: { amount: 1490, currency: 'EUR' } });

let orders: TestSubgraph;
let db: Database;
let inventoryQueue: Queue;
const sweepers: SagaSweeper[] = [];

beforeAll(async () => {
  // The API's relay publishes OrderPlaced; no inventory worker runs, so every saga stops at its first hop.
  orders = await startOrders({ catalog });
  db = await openOrdersDatabase(orders);
  inventoryQueue = consumerQueue('inventory', orders.schema.name);
});

afterAll(async () => {
  for (const sweeper of sweepers) await sweeper.stop();
  await inventoryQueue?.close();
  await db?.close();
  await orders?.stop();
});

function sweeper(bounds: { redriveAfterMs: number; cancelAfterMs: number }, registry = new Registry()) {
  // Swept by hand (`sweep`): the interval is longer than the test.
  const started = startSagaSweeper({ orm: db, logger, registry, intervalMs: 3_600_000, ...bounds });
  sweepers.push(started);
  return started;
}

async function placeOrder(): Promise<OrderView> {
  const result = await orders.run<{ placeOrder: OrderView }>(PLACE_ORDER, {
    variables: { input: { items: [item(SEED_PRODUCT_IDS.stonewareMug)] } },
    as: CUSTOMER,
  });
  expect(result.errors).toBeUndefined();
  return result.data!.placeOrder;
}

const orderRow = async (id: string) => {
  const [row] = await db.em
    .fork()
    .execute<Array<{ status: string; cancellation_reason: string | null }>>(
      `select status, cancellation_reason from "${orders.schema.name}".customer_order where id = ?`,
      [id],
    );
  return row;
};

const placedEvent = (id: string) => db.em.fork().findOneOrFail(OutboxEvent, { id });

describe('the saga sweeper', () => {
  it("re-drives a PENDING order's OrderPlaced once it is past the bound, under a job id of its own", async () => {
    const order = await placeOrder();
    // The order's OrderPlaced has the order's id, and the relay publishes it to inventory's queue.
    await eventually(async () =>
      (await inventoryQueue.getJobState(order.id)) === 'waiting' ? true : undefined,
    );

    const registry = new Registry();
    const sweep = sweeper({ redriveAfterMs: 300, cancelAfterMs: 3_600_000 }, registry);
    const result = await eventually(async () => {
      const swept = await sweep.sweep();
      return swept.redriven.includes(order.id) ? swept : undefined;
    });
    expect(result).toMatchObject({ swept: true, cancelled: [] });

    // Published again by the relay: a job with its own id, marked as a re-drive, the envelope unchanged.
    const job = await eventually(
      async () => (await inventoryQueue.getJob(`${order.id}-redrive-1`)) ?? undefined,
    );
    const [placed] = await outboxOf(db, order.id);
    expect(job.data).toMatchObject({ ...placed, redrive: 1 });
    expect(await orderRow(order.id)).toEqual({ status: 'PENDING', cancellation_reason: null });
    expect(await registry.getSingleMetricAsString('saga_stalled_orders_total')).toContain(
      'saga_stalled_orders_total{action="redriven"} 1',
    );

    // Just published again, it is given time to work: the next sweep leaves it alone.
    await eventually(async () => ((await placedEvent(order.id)).publishedAt ? true : undefined));
    expect((await sweep.sweep()).redriven).not.toContain(order.id);
    expect((await placedEvent(order.id)).redrives).toBe(1);
  });

  it('cancels an order still PENDING past the last bound, with a clear reason, and announces it', async () => {
    const order = await placeOrder();
    const sweep = sweeper({ redriveAfterMs: 100, cancelAfterMs: 400 });
    const result = await eventually(async () => {
      const swept = await sweep.sweep();
      return swept.cancelled.includes(order.id) ? swept : undefined;
    });
    expect(result.swept).toBe(true);
    expect(await orderRow(order.id)).toEqual({
      status: 'CANCELLED',
      cancellation_reason: timedOutReason(400),
    });
    // OrderCancelled makes inventory release the stock and payments refund the payment, if any.
    const events = await outboxOf(db, order.id);
    expect(events.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderCancelled']);
    expect(events[1]?.data).toMatchObject({ orderId: order.id, reason: timedOutReason(400) });
    // Settled: later sweeps neither re-drive nor cancel it again.
    const again = await sweep.sweep();
    expect(again.cancelled).not.toContain(order.id);
    expect(again.redriven).not.toContain(order.id);
  });

  it('says how long the customer waited', () => {
    expect(timedOutReason(15 * 60_000)).toBe(
      'Checkout timed out: the order was not confirmed within 15 minutes. Any stock or payment held for it is released.',
    );
  });

  it('runs one sweep at a time across replicas', async () => {
    const other = new pg.Client({ connectionString: orders.schema.clientUrl });
    await other.connect();
    try {
      // Another replica's sweeper is in the middle of its sweep.
      await other.query('begin');
      await other.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `${orders.schema.name}:saga-sweeper`,
      ]);
      const order = await placeOrder();
      const sweep = sweeper({ redriveAfterMs: 100, cancelAfterMs: 200 });
      expect(await sweep.sweep()).toEqual({ swept: false, redriven: [], cancelled: [] });
      expect((await orderRow(order.id))?.status).toBe('PENDING');
      await other.query('commit');
      await eventually(async () => ((await sweep.sweep()).cancelled.includes(order.id) ? true : undefined));
    } finally {
      await other.end();
    }
  });
});

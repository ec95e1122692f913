import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { eventually } from '@supergraph/testing';
import { placeBurst } from './support/order-burst.ts';
import { startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.ts';
import { sagaDatabase } from './support/saga-invariants.ts';
import { startShop, SUBGRAPHS, type Shop } from './support/shop.ts';

// Postgres restarts while customers order. Every process reconnects (the outbox relays' LISTEN
// connections too) and none exits; a client that retries a failed placeOrder with its idempotency key
// gets one order; every accepted order settles and the saga's invariants hold.

const CUSTOMERS = 4;
const ORDERS_PER_CUSTOMER = 12;
/** The subgraphs that publish events, each with a relay listening for its outbox's NOTIFY. */
const RELAYS = ['users', 'orders', 'inventory', 'payments'] as const;

let postgres: PrivatePostgres;
let shop: Shop;
let stopped = false;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  shop = await startShop({ workers: true, databaseAdminUrl: postgres.adminUrl });
}, 120_000);

afterAll(async () => {
  if (!stopped) await shop?.stop();
  await postgres?.stop();
});

/** The relays' LISTEN sessions, as Postgres sees them. */
async function listeners(): Promise<string[]> {
  const client = new pg.Client({ connectionString: postgres.adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ query: string }>(
      `select query from pg_stat_activity where query like 'listen %' order by query`,
    );
    return rows.map((row) => row.query);
  } finally {
    await client.end();
  }
}

const channels = () =>
  RELAYS.map((name) => `listen "supergraph_outbox_${shop.subgraphs[name].schema.name}"`).sort();

describe('Postgres restarting during a burst of orders', () => {
  it('has every process reconnect, and settles every accepted order with the invariants holding', async () => {
    const customers: Array<{ token: string }> = [];
    for (let index = 0; index < CUSTOMERS; index += 1)
      customers.push(await shop.register(`restart-${index}@example.com`));
    // Read before the restart on a connection of its own, closed before Postgres goes away.
    const before = await sagaDatabase(shop);
    const stockBefore = await before.stockTotals();
    await before.close();
    await eventually(async () => ((await listeners()).length === RELAYS.length ? true : undefined));

    let restarted: Promise<void> | undefined;
    const ids = await placeBurst(shop, customers, {
      perCustomer: ORDERS_PER_CUSTOMER,
      retry: true,
      onAccepted: (count) => {
        if (count === 16) restarted = postgres.restart();
      },
    });
    await restarted;
    expect(new Set(ids).size).toBe(CUSTOMERS * ORDERS_PER_CUSTOMER);

    // Each relay listens again, on a new session.
    expect(
      await eventually(async () => {
        const found = await listeners();
        return found.length === RELAYS.length ? found : undefined;
      }),
    ).toEqual(channels());
    // Every API and worker is ready again: reachable, its Postgres and Redis too.
    for (const name of SUBGRAPHS) {
      await eventually(async () =>
        (await fetch(new URL('/ready', shop.subgraphs[name].url))).ok ? true : undefined,
      );
    }
    for (const worker of shop.workers) {
      await eventually(async () => ((await fetch(new URL('/ready', worker.url))).ok ? true : undefined));
    }

    const db = await sagaDatabase(shop);
    try {
      const statuses = await eventually(async () => {
        const rows = await db.orderStatuses(ids);
        return rows.length === ids.length && rows.every((row) => row.status !== 'PENDING') ? rows : undefined;
      }, 120_000);
      expect(statuses).toHaveLength(ids.length);
      const violations = await eventually(
        async () => ((await db.violations(stockBefore)).length === 0 ? [] : undefined),
        60_000,
      ).catch(() => db.violations(stockBefore));
      expect(violations).toEqual([]);
    } finally {
      await db.close();
    }

    // And every process still stops cleanly: a transaction cut by the restart gave its connection back
    // to the pool (a leaked one would keep the pool, and the stop, waiting for ever).
    await shop.stop();
    stopped = true;
  }, 300_000);
});

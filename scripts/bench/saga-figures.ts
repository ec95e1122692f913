// What the saga bench reads back from the database after placing orders: every domain's schema lives in
// the one bench database, so the superuser can join an event's outbox row (written in the producer's
// transaction) to its processed_event row (written in the consumer's), and an order's creation to its
// confirmation. Timestamps are Postgres's own: the outbox row's is the producer's clock at commit time,
// processed_at is now() in the handler's transaction.
import pg from 'pg';
import { withDatabaseName } from '@supergraph/db';

const PRODUCERS = ['users', 'orders', 'inventory', 'payments'];
const CONSUMERS = ['orders', 'inventory', 'payments', 'notifications'];

export interface SagaWindow {
  start: Date;
  end: Date;
}

export interface SagaFigures {
  ordersPlaced: number;
  ordersConfirmed: number;
  ordersCancelled: number;
  ordersPending: number;
  /** Orders confirmed within the placing window, per second of it. */
  ordersConfirmedPerSecond: number;
  /** Events handled (one per consuming domain) within the placing window, per second of it. */
  eventsHandledPerSecond: number;
  /** From an order's creation to its confirmation, over the orders placed in the window. */
  placedToConfirmedMs: { p50: number | null; p99: number | null };
  /** From an event's outbox commit to its handling, over the events written in the window. */
  commitToHandledMs: { p50: number | null; p99: number | null };
  /** Events written in the window and not yet published when it closed. */
  outboxBacklogAtEnd: number;
}

export async function openAdmin(adminUrl: string, database: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: withDatabaseName(adminUrl, database) });
  await client.connect();
  return client;
}

export async function databaseNow(client: pg.Client): Promise<Date> {
  const { rows } = await client.query<{ now: Date }>('select clock_timestamp() as now');
  return (rows[0] as { now: Date }).now;
}

/** Orders created in the window that are still PENDING. */
export async function pendingOrders(client: pg.Client, window: SagaWindow): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    `select count(*) from orders.customer_order where status = 'PENDING' and created_at between $1 and $2`,
    [window.start, window.end],
  );
  return Number(rows[0]?.count ?? 0);
}

/** Events handled so far, in every consuming domain. */
export async function handledEvents(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    `select count(*) from (${CONSUMERS.map((schema) => `select 1 from ${schema}.processed_event`).join(' union all ')}) e`,
  );
  return Number(rows[0]?.count ?? 0);
}

const outbox = PRODUCERS.map(
  (schema) => `select id, created_at, published_at from ${schema}.outbox_event`,
).join(' union all ');
const processed = CONSUMERS.map(
  (schema) => `select event_id, processed_at from ${schema}.processed_event`,
).join(' union all ');

export async function sagaFigures(client: pg.Client, window: SagaWindow): Promise<SagaFigures> {
  const seconds = (window.end.getTime() - window.start.getTime()) / 1000;
  const range = [window.start, window.end];
  const orders = await client.query<Record<string, string | null>>(
    `select count(*) as placed,
            count(*) filter (where status = 'CONFIRMED') as confirmed,
            count(*) filter (where status = 'CANCELLED') as cancelled,
            count(*) filter (where status = 'PENDING') as pending,
            count(*) filter (where status = 'CONFIRMED' and updated_at <= $2) as confirmed_in_window,
            percentile_cont(0.5) within group (order by extract(epoch from updated_at - created_at) * 1000)
              filter (where status = 'CONFIRMED') as p50,
            percentile_cont(0.99) within group (order by extract(epoch from updated_at - created_at) * 1000)
              filter (where status = 'CONFIRMED') as p99
     from orders.customer_order where created_at between $1 and $2`,
    range,
  );
  // Throughput: what was handled while orders kept coming. Latency: every event the window's orders
  // caused, the ones handled during the drain after it included, so a growing backlog shows.
  const events = await client.query<Record<string, string | null>>(
    `select count(*) filter (where p.processed_at between $1 and $2) as handled,
            percentile_cont(0.5) within group (order by extract(epoch from p.processed_at - o.created_at) * 1000)
              filter (where o.created_at between $1 and $2) as p50,
            percentile_cont(0.99) within group (order by extract(epoch from p.processed_at - o.created_at) * 1000)
              filter (where o.created_at between $1 and $2) as p99
     from (${processed}) p join (${outbox}) o on o.id = p.event_id`,
    range,
  );
  const backlog = await client.query<{ count: string }>(
    `select count(*) from (${outbox}) o where o.created_at between $1 and $2 and (o.published_at is null or o.published_at > $2)`,
    range,
  );
  const order = orders.rows[0] ?? {};
  const event = events.rows[0] ?? {};
  const number = (value: string | null | undefined) =>
    value === null || value === undefined ? null : Number(value);
  return {
    ordersPlaced: Number(order.placed ?? 0),
    ordersConfirmed: Number(order.confirmed ?? 0),
    ordersCancelled: Number(order.cancelled ?? 0),
    ordersPending: Number(order.pending ?? 0),
    ordersConfirmedPerSecond: Number(order.confirmed_in_window ?? 0) / seconds,
    eventsHandledPerSecond: Number(event.handled ?? 0) / seconds,
    placedToConfirmedMs: { p50: number(order.p50), p99: number(order.p99) },
    commitToHandledMs: { p50: number(event.p50), p99: number(event.p99) },
    outboxBacklogAtEnd: Number(backlog.rows[0]?.count ?? 0),
  };
}

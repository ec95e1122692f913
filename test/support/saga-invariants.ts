import pg from 'pg';
import { TEST_DATABASE } from '@supergraph/testing';
import { withDatabaseName } from '@supergraph/db';
import type { Shop } from './shop.ts';

/** Reads every domain's tables directly (as the test superuser) to check the saga's invariants. */
export async function sagaDatabase(shop: Shop) {
  const client = new pg.Client({
    connectionString: withDatabaseName(shop.databaseAdminUrl, TEST_DATABASE),
  });
  await client.connect();
  const schema = (name: keyof Shop['subgraphs']) => `"${shop.subgraphs[name].schema.name}"`;
  const rows = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
    (await client.query<T>(sql, values)).rows;
  /** Units per product, available plus reserved: the saga moves units between the two, never more. */
  async function stockTotals(): Promise<Record<string, number>> {
    const totals = await rows<{ product_id: string; total: number }>(
      `select product_id, (available + reserved)::int as total from ${schema('inventory')}.stock_level`,
    );
    return Object.fromEntries(totals.map((row) => [row.product_id, row.total]));
  }
  return {
    rows,
    schema,
    orderStatuses: (ids: string[]) =>
      rows<{ id: string; status: string }>(
        `select id, status from ${schema('orders')}.customer_order where id = any($1)`,
        [ids],
      ),
    stockTotals,
    /**
     * Every invariant the saga promises, as a list of violations (empty when all hold); given the stock
     * totals taken before the orders, also that no unit appeared or vanished.
     */
    async violations(stockBefore?: Record<string, number>): Promise<string[]> {
      const problems: string[] = [];
      // Each query lists what breaks one invariant; any row is a violation.
      const broken: Array<[string, string]> = [
        [
          `select id from ${schema('orders')}.customer_order where status = 'PENDING'`,
          'orders still PENDING',
        ],
        [
          `select order_id from ${schema('payments')}.payment group by order_id having count(*) > 1`,
          'orders with more than one payment',
        ],
        [
          `select o.id from ${schema('orders')}.customer_order o
           left join ${schema('payments')}.payment p on p.order_id = o.id and p.status = 'AUTHORIZED'
           where o.status = 'CONFIRMED' and p.id is null`,
          'CONFIRMED orders without an authorized payment',
        ],
        [
          `select o.id from ${schema('orders')}.customer_order o
           join ${schema('payments')}.payment p on p.order_id = o.id and p.status = 'AUTHORIZED'
           where o.status = 'CANCELLED'`,
          'CANCELLED orders whose payment is still held',
        ],
        [
          `select o.id from ${schema('orders')}.customer_order o
           join ${schema('inventory')}.reservation r on r.order_id = o.id and r.status = 'RESERVED'
           where o.status = 'CANCELLED'`,
          'CANCELLED orders whose stock is still reserved',
        ],
        [
          `select product_id from ${schema('inventory')}.stock_level where available < 0 or reserved < 0`,
          'products with negative stock',
        ],
      ];
      for (const [sql, what] of broken) {
        const found = await rows(sql);
        if (found.length > 0) problems.push(`${found.length} ${what}`);
      }
      // Reserved stock per product equals what CONFIRMED orders hold (the seeded one included).
      const mismatched = await rows<{ product_id: string; reserved: number; held: number }>(
        `select s.product_id, s.reserved, coalesce(h.held, 0)::int as held
         from ${schema('inventory')}.stock_level s
         full join (
           select i.product_id, sum(i.quantity)::int as held
           from ${schema('orders')}.order_item i
           join ${schema('orders')}.customer_order o on o.id = i.order_id and o.status = 'CONFIRMED'
           group by i.product_id
         ) h on h.product_id = s.product_id
         where coalesce(s.reserved, 0) <> coalesce(h.held, 0)`,
      );
      for (const row of mismatched)
        problems.push(
          `product ${row.product_id}: ${row.reserved} reserved, confirmed orders hold ${row.held}`,
        );
      if (stockBefore) {
        for (const [product, total] of Object.entries(await stockTotals()))
          if (total !== (stockBefore[product] ?? 0))
            problems.push(`product ${product}: ${stockBefore[product] ?? 0} units before, ${total} now`);
      }
      // One notification per outcome: per customer, as many as their confirmed and cancelled orders (the
      // seeded ones included, whose notifications the seed writes).
      for (const [status, kind] of [
        ['CONFIRMED', 'ORDER_CONFIRMED'],
        ['CANCELLED', 'ORDER_CANCELLED'],
      ] as const) {
        const notified = await rows<{ user_id: string; orders: number; notified: number }>(
          `select o.user_id, count(*)::int as orders,
             (select count(*)::int from ${schema('notifications')}.notification n
               where n.user_id = o.user_id and n.kind = $2) as notified
           from ${schema('orders')}.customer_order o where o.status = $1 group by o.user_id`,
          [status, kind],
        );
        for (const row of notified)
          if (row.orders !== row.notified)
            problems.push(`user ${row.user_id}: ${row.orders} ${status} orders, ${row.notified} ${kind}`);
      }
      return problems;
    },
    close: () => client.end(),
  };
}

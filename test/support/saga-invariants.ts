import pg from 'pg';
import { TEST_ADMIN_DATABASE_URL, TEST_DATABASE } from '@supergraph/testing';
import { withDatabaseName } from '@supergraph/db';
import type { Shop } from './shop.ts';

/** Reads every domain's tables directly (as the test superuser) to check the saga's invariants. */
export async function sagaDatabase(shop: Shop) {
  const client = new pg.Client({
    connectionString: withDatabaseName(TEST_ADMIN_DATABASE_URL, TEST_DATABASE),
  });
  await client.connect();
  const schema = (name: keyof Shop['subgraphs']) => `"${shop.subgraphs[name].schema.name}"`;
  const rows = async <T extends pg.QueryResultRow>(sql: string, values: unknown[] = []) =>
    (await client.query<T>(sql, values)).rows;
  return {
    rows,
    schema,
    orderStatuses: (ids: string[]) =>
      rows<{ id: string; status: string }>(
        `select id, status from ${schema('orders')}.customer_order where id = any($1)`,
        [ids],
      ),
    /** Every invariant the saga promises, as a list of violations (empty when all hold). */
    async violations(): Promise<string[]> {
      const problems: string[] = [];
      const pending = await rows<{ id: string }>(
        `select id from ${schema('orders')}.customer_order where status = 'PENDING'`,
      );
      if (pending.length > 0) problems.push(`${pending.length} orders still PENDING`);
      const multiPaid = await rows(
        `select order_id from ${schema('payments')}.payment group by order_id having count(*) > 1`,
      );
      if (multiPaid.length > 0) problems.push(`${multiPaid.length} orders with more than one payment`);
      const confirmedWithoutPayment = await rows(
        `select o.id from ${schema('orders')}.customer_order o
         left join ${schema('payments')}.payment p on p.order_id = o.id and p.status = 'AUTHORIZED'
         where o.status = 'CONFIRMED' and p.id is null`,
      );
      if (confirmedWithoutPayment.length > 0)
        problems.push(`${confirmedWithoutPayment.length} CONFIRMED orders without an authorized payment`);
      const heldForCancelled = await rows(
        `select o.id from ${schema('orders')}.customer_order o
         join ${schema('payments')}.payment p on p.order_id = o.id and p.status = 'AUTHORIZED'
         where o.status = 'CANCELLED'`,
      );
      if (heldForCancelled.length > 0)
        problems.push(`${heldForCancelled.length} CANCELLED orders whose payment is still held`);
      const negative = await rows(
        `select product_id from ${schema('inventory')}.stock_level where available < 0 or reserved < 0`,
      );
      if (negative.length > 0) problems.push(`${negative.length} products with negative stock`);
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
      // One confirmation notification per confirmed order, per customer.
      const notified = await rows<{ user_id: string; confirmed: number; notified: number }>(
        `select o.user_id, count(*)::int as confirmed,
           (select count(*)::int from ${schema('notifications')}.notification n
             where n.user_id = o.user_id and n.kind = 'ORDER_CONFIRMED') as notified
         from ${schema('orders')}.customer_order o where o.status = 'CONFIRMED' group by o.user_id`,
      );
      for (const row of notified)
        if (row.confirmed !== row.notified)
          problems.push(
            `user ${row.user_id}: ${row.confirmed} confirmed orders, ${row.notified} confirmations`,
          );
      return problems;
    },
    close: () => client.end(),
  };
}

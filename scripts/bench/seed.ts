// Bench data on top of each subgraph's own seed, scaled by --scale: a catalog, customers, and for each
// customer a history of confirmed, paid orders. Written with set-based SQL (generate_series) as the
// superuser, straight into each subgraph's schema of the bench database, because hundreds of thousands of
// rows through the API would take longer than the bench. Ids are fixed functions of their position, so
// seeding a larger scale over a smaller one only adds rows (`on conflict do nothing`).
import pg from 'pg';
import { withDatabaseName } from '@supergraph/db';
import { hashPassword } from '../../subgraphs/users/src/password.ts';

export interface SeedPlan {
  products: number;
  customers: number;
  ordersPerCustomer: number;
  itemsPerOrder: number;
}

export const BENCH_PASSWORD = 'bench-password';

/** At scale 1: 1,000 products and 50 customers with 20 orders each (one full `orders(first: 20)` page). */
export function seedPlan(scale: number): SeedPlan {
  return { products: 1_000 * scale, customers: 50 * scale, ordersPerCustomer: 20 * scale, itemsPerOrder: 3 };
}

/** A UUID whose last group is `n`, under a fixed prefix per kind of row. */
function benchId(kind: string): (n: number) => string {
  return (n) => `00000000-0000-4000-${kind}-${String(n).padStart(12, '0')}`;
}
export const benchProductId = benchId('8b02');
export const benchCustomerId = benchId('8b00');
export const benchCustomerEmail = (n: number) => `bench-customer-${n}@shop.example`;

/** SQL for a bench id from integer expressions (the same ids as the functions above). */
const sqlId = (kind: string, expression: string) =>
  `('00000000-0000-4000-${kind}-' || lpad((${expression})::text, 12, '0'))::uuid`;
// An order's number packs its customer and its position in their history, so a larger scale keeps
// every earlier order's id: customer * 10^7 + k.
const ORDER_NUMBER = 'c::bigint * 10000000 + k';

/** Where each subgraph's tables are: its own name in a bench database, a throwaway schema in a test. */
export type SeedSchemas = Record<'users' | 'products' | 'inventory' | 'orders' | 'payments', string>;

const OWN_SCHEMAS: SeedSchemas = {
  users: 'users',
  products: 'products',
  inventory: 'inventory',
  orders: 'orders',
  payments: 'payments',
};

function statements(
  plan: SeedPlan,
  passwordHash: string,
  schema: SeedSchemas,
): Array<{ text: string; values: unknown[] }> {
  const { products, customers, ordersPerCustomer, itemsPerOrder } = plan;
  // Product p of item j of order (c, k): spread over the catalog, distinct within an order.
  const productOf = `((c * 7919 + k * 104729 + j * 101) % ${products}) + 1`;
  return [
    {
      text: `insert into ${schema.products}.product (id, sku, name, description, price_amount, price_currency, weight_grams, created_at, updated_at)
             select ${sqlId('8b02', 'p')}, 'BENCH-' || p, 'Bench product ' || p,
                    'A product of the benchmark catalog, number ' || p || '.',
                    500 + (p * 37) % 20000, 'EUR', 100 + (p * 53) % 5000,
                    timestamptz '2026-01-01' + p * interval '1 second', now()
             from generate_series(1, $1::int) as p
             on conflict do nothing`,
      values: [products],
    },
    {
      text: `insert into ${schema.inventory}.stock_level (product_id, available, reserved, updated_at)
             select ${sqlId('8b02', 'p')}, 1000000000, 0, now() from generate_series(1, $1::int) as p
             on conflict do nothing`,
      values: [products],
    },
    {
      text: `insert into ${schema.users}.user_account (id, email, name, password_hash, role, created_at)
             select ${sqlId('8b00', 'c')}, 'bench-customer-' || c || '@shop.example', 'Bench Customer ' || c,
                    $2, 'CUSTOMER', now()
             from generate_series(1, $1::int) as c
             on conflict do nothing`,
      values: [customers, passwordHash],
    },
    {
      text: `insert into ${schema.orders}.customer_order (id, user_id, status, cancellation_reason, total_amount, total_currency, created_at, updated_at)
             select ${sqlId('8b04', ORDER_NUMBER)}, ${sqlId('8b00', 'c')}, 'CONFIRMED', null, 0, 'EUR',
                    timestamptz '2026-01-01' + k * interval '1 minute', now()
             from generate_series(1, $1::int) as c, generate_series(1, $2::int) as k
             on conflict do nothing`,
      values: [customers, ordersPerCustomer],
    },
    {
      text: `insert into ${schema.orders}.order_item (order_id, position, product_id, quantity, unit_price_amount, unit_price_currency)
             select ${sqlId('8b04', ORDER_NUMBER)}, j, ${sqlId('8b02', productOf)}, 1 + j, product.price_amount, 'EUR'
             from generate_series(1, $1::int) as c cross join generate_series(1, $2::int) as k
                  cross join generate_series(0, $3::int - 1) as j
             join ${schema.products}.product on product.id = ${sqlId('8b02', productOf)}
             on conflict do nothing`,
      values: [customers, ordersPerCustomer, itemsPerOrder],
    },
    {
      text: `update ${schema.orders}.customer_order o set total_amount = totals.amount
             from (select order_id, sum(quantity * unit_price_amount) as amount from ${schema.orders}.order_item
                   where order_id::text like '00000000-0000-4000-8b04-%' group by order_id) totals
             where o.id = totals.order_id and o.total_amount = 0`,
      values: [],
    },
    {
      text: `insert into ${schema.payments}.payment (id, order_id, user_id, amount_amount, amount_currency, status, decline_reason, provider_reference, created_at, updated_at)
             select ('00000000-0000-4000-8b05-' || right(o.id::text, 12))::uuid, o.id, o.user_id, o.total_amount,
                    'EUR', 'AUTHORIZED', null, 'bench-' || right(o.id::text, 12), o.created_at, o.created_at
             from ${schema.orders}.customer_order o where o.id::text like '00000000-0000-4000-8b04-%'
             on conflict do nothing`,
      values: [],
    },
  ];
}

/** Inserts the plan's rows (missing ones only) and refreshes the planner's statistics. */
export async function seedBenchData(
  adminUrl: string,
  database: string,
  plan: SeedPlan,
  schemas: SeedSchemas = OWN_SCHEMAS,
): Promise<void> {
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const client = new pg.Client({ connectionString: withDatabaseName(adminUrl, database) });
  await client.connect();
  try {
    for (const statement of statements(plan, passwordHash, schemas))
      await client.query(statement.text, statement.values);
    await client.query('analyze');
  } finally {
    await client.end();
  }
}

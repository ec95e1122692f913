// The benchmark suite's own pieces, checked fast: the statement-counting Postgres proxy (against the
// real Postgres), the seed scaler (on the subgraphs' real migrations), and the arithmetic that turns
// rounds into the figures the suite prints. The suite itself is run by `npm run bench`, not here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabase, withDatabaseName } from '@supergraph/db';
import {
  createTestSchema,
  TEST_ADMIN_DATABASE_URL,
  TEST_DATABASE,
  type TestSchema,
} from '@supergraph/testing';
import { parseBenchFlags } from '../scripts/bench/flags.ts';
import { cpuByCommand, graphqlRequestCount, parseStat } from '../scripts/bench/measure.ts';
import { cpuPerOrder, cpuTable } from '../scripts/bench/saga-cpu.ts';
import { seedBenchData, type SeedSchemas } from '../scripts/bench/seed.ts';
import {
  classifyStatement,
  FrontendReader,
  startSqlProxy,
  type SqlProxy,
} from '../scripts/bench/sql-proxy.ts';
import { aggregate, median, type RoundResult } from '../scripts/bench/stats.ts';
import { entities as inventoryEntities } from '../subgraphs/inventory/src/entities.ts';
import { entities as orderEntities } from '../subgraphs/orders/src/entities.ts';
import { entities as paymentEntities } from '../subgraphs/payments/src/entities.ts';
import { entities as productEntities } from '../subgraphs/products/src/entities.ts';
import { entities as userEntities } from '../subgraphs/users/src/entities.ts';

const admin = new URL(TEST_ADMIN_DATABASE_URL);

describe('the statement-counting proxy', () => {
  let proxy: SqlProxy;

  beforeAll(async () => {
    proxy = await startSqlProxy({
      port: 0,
      target: { host: admin.hostname, port: Number(admin.port || 5432) },
    });
  });
  afterAll(() => proxy.close());

  it('counts what a client executes through it, simple and extended protocol, not transaction control', async () => {
    const url = new URL(withDatabaseName(TEST_ADMIN_DATABASE_URL, TEST_DATABASE));
    url.host = `127.0.0.1:${proxy.port}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const user = decodeURIComponent(url.username) || 'postgres';
    const before = proxy.counts()[user]?.statements ?? 0;
    await client.query('begin');
    await client.query('select 1');
    await client.query('select $1::int as n', [2]);
    await client.query('select $1::int as n', [3]);
    await client.query('commit');
    const rows = await client.query<{ n: number }>('select $1::int as n', [4]);
    await client.end();

    expect(rows.rows).toEqual([{ n: 4 }]);
    expect((proxy.counts()[user]?.statements ?? 0) - before).toBe(4);
  });

  it('reads messages split across any number of network chunks', () => {
    const seen: Array<[string, string]> = [];
    const reader = new FrontendReader((user, sql) => seen.push([user, sql]));
    const cString = (text: string) => Buffer.from(`${text}\0`);
    const typed = (type: string, body: Buffer) => {
      const header = Buffer.alloc(5);
      header.write(type, 0);
      header.writeInt32BE(body.length + 4, 1);
      return Buffer.concat([header, body]);
    };
    const startupBody = Buffer.concat([
      cString('user'),
      cString('products'),
      cString('database'),
      cString('bench'),
      Buffer.from([0]),
    ]);
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(startupBody.length + 8, 0);
    startup.writeInt32BE(196608, 4);
    const stream = Buffer.concat([
      startup,
      startupBody,
      typed('Q', cString('select 1')),
      typed(
        'P',
        Buffer.concat([cString(''), cString('select * from product where id = $1'), Buffer.alloc(2)]),
      ),
      typed('B', Buffer.concat([cString(''), cString(''), Buffer.alloc(6)])),
      typed('D', Buffer.concat([Buffer.from('P'), cString('')])),
      typed('E', Buffer.concat([cString(''), Buffer.alloc(4)])),
      typed('S', Buffer.alloc(0)),
    ]);
    for (const byte of stream) reader.push(Buffer.from([byte]));

    expect(seen).toEqual([
      ['products', 'select 1'],
      ['products', 'select * from product where id = $1'],
    ]);
  });

  it("tells a request's statements from transaction control and the outbox relay's polling", () => {
    expect(classifyStatement('BEGIN')).toBe('control');
    expect(classifyStatement('commit')).toBe('control');
    expect(classifyStatement('select "p0".* from "products"."product" as "p0"')).toBe('statement');
    expect(classifyStatement('insert into "orders"."outbox_event" ("id") values ($1)')).toBe('statement');
    expect(classifyStatement('select id from orders.outbox_event where published_at is null')).toBe(
      'background',
    );
  });
});

describe('the seed scaler', () => {
  const names = ['users', 'products', 'inventory', 'orders', 'payments'] as const;
  const entities = {
    users: userEntities,
    products: productEntities,
    inventory: inventoryEntities,
    orders: orderEntities,
    payments: paymentEntities,
  };
  const created: TestSchema[] = [];
  let schemas: SeedSchemas;
  let client: pg.Client;

  beforeAll(async () => {
    const entries: Array<[string, string]> = [];
    for (const name of names) {
      const schema = await createTestSchema(name);
      created.push(schema);
      const orm = await openDatabase({
        clientUrl: schema.clientUrl,
        schema: schema.name,
        entities: entities[name],
        migrationsPath: new URL(`../subgraphs/${name}/migrations`, import.meta.url).pathname,
      });
      await orm.close();
      entries.push([name, schema.name]);
    }
    schemas = Object.fromEntries(entries) as SeedSchemas;
    client = new pg.Client({ connectionString: withDatabaseName(TEST_ADMIN_DATABASE_URL, TEST_DATABASE) });
    await client.connect();
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    for (const schema of created) await schema.drop();
  });

  async function count(table: string): Promise<number> {
    const { rows } = await client.query<{ count: string }>(`select count(*) from ${table}`);
    return Number(rows[0]?.count);
  }

  it('writes a catalog, customers and their paid orders, and a larger scale only adds to them', async () => {
    await seedBenchData(
      TEST_ADMIN_DATABASE_URL,
      TEST_DATABASE,
      { products: 30, customers: 3, ordersPerCustomer: 2, itemsPerOrder: 3 },
      schemas,
    );
    const first = await client.query<{ id: string; total_amount: number }>(
      `select id, total_amount from ${schemas.orders}.customer_order order by id`,
    );

    expect(await count(`${schemas.products}.product`)).toBe(30);
    expect(await count(`${schemas.inventory}.stock_level`)).toBe(30);
    expect(await count(`${schemas.users}.user_account`)).toBe(3);
    expect(first.rows).toHaveLength(6);
    expect(await count(`${schemas.orders}.order_item`)).toBe(18);
    // Each order's total is its items' sum, and its payment is for exactly that amount.
    const mismatched = await client.query(
      `select o.id from ${schemas.orders}.customer_order o
       join ${schemas.payments}.payment p on p.order_id = o.id
       where o.total_amount <> (select sum(quantity * unit_price_amount) from ${schemas.orders}.order_item i where i.order_id = o.id)
          or p.amount_amount <> o.total_amount`,
    );
    expect(mismatched.rows).toEqual([]);
    expect(await count(`${schemas.payments}.payment`)).toBe(6);

    await seedBenchData(
      TEST_ADMIN_DATABASE_URL,
      TEST_DATABASE,
      { products: 60, customers: 4, ordersPerCustomer: 3, itemsPerOrder: 3 },
      schemas,
    );
    const grown = await client.query<{ id: string; total_amount: number }>(
      `select id, total_amount from ${schemas.orders}.customer_order order by id`,
    );

    expect(await count(`${schemas.products}.product`)).toBe(60);
    expect(grown.rows).toHaveLength(12);
    expect(grown.rows).toEqual(expect.arrayContaining(first.rows));
    expect(await count(`${schemas.payments}.payment`)).toBe(12);
  }, 30_000);
});

describe('the figures', () => {
  const round = (overrides: Partial<RoundResult>): RoundResult => ({
    responses: 1000,
    sent: 1000,
    durationSeconds: 10,
    requestsPerSecond: 100,
    p50Ms: 10,
    p99Ms: 30,
    cpuMs: 5000,
    subgraphCpuMs: 8000,
    sqlProxyCpuMs: 100,
    rssBytes: 100 * 1024 * 1024,
    non2xx: 0,
    socketErrors: 0,
    graphqlErrors: 0,
    ...overrides,
  });

  it('adds work over rounds, takes the median of their percentiles and the highest memory', () => {
    const result = aggregate([
      round({}),
      round({
        responses: 3000,
        sent: 3000,
        requestsPerSecond: 300,
        p50Ms: 20,
        cpuMs: 10_000,
        rssBytes: 300 * 1024 * 1024,
      }),
      round({ p50Ms: 40, non2xx: 2 }),
    ]);

    expect(result.requestsPerSecond).toBe(5000 / 30);
    expect(result.requestsPerSecondRange).toEqual([100, 300]);
    expect(result.p50Ms).toBe(20);
    expect(result.cpuMsPerRequest).toBe(20_000 / 5000);
    expect(result.requestsPerSecondPerCore).toBe(250);
    expect(result.rssMb).toBe(300);
    expect(result.non2xx).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('reads CPU time and memory from /proc and GraphQL requests from a /metrics page', () => {
    const stat = '4242 (node server) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 12 0 99 123456 2048 rest';
    expect(parseStat(stat)).toEqual({ ticks: 200, rssPages: 2048 });

    const metrics = [
      'http_request_duration_seconds_count{route="/graphql",method="POST",status="200",service="products"} 41',
      'http_request_duration_seconds_count{route="/graphql",method="POST",status="400",service="products"} 1',
      'http_request_duration_seconds_count{route="/metrics",method="GET",status="200",service="products"} 7',
      'http_request_duration_seconds_sum{route="/graphql",method="POST",status="200",service="products"} 0.5',
    ].join('\n');
    expect(graphqlRequestCount(metrics)).toBe(42);
  });

  it("finds a local server's processes by command name: this test's own process", () => {
    const found = cpuByCommand([readFileSync('/proc/self/comm', 'utf8').trim()]);

    expect(found.get(process.pid)?.command).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    expect(found.get(process.pid)?.cpuMs).toBeGreaterThan(0);
  });

  it("splits the saga's CPU by process per order, a server's processes summed, and says what the cores could carry", () => {
    const before = new Map([
      ['router', 1_000],
      ['orders-worker', 500],
      ['postgres#10', 2_000],
      ['postgres#11', 300],
    ]);
    // postgres#11 exited (its time is gone), postgres#12 started during the phase.
    const after = new Map([
      ['router', 1_400],
      ['orders-worker', 1_300],
      ['postgres#10', 2_600],
      ['postgres#12', 200],
    ]);

    const perOrder = cpuPerOrder(before, after, 100);

    expect(perOrder).toEqual({ 'orders-worker': 8, postgres: 8, router: 4, total: 20 });
    expect(Object.keys(perOrder).at(-1)).toBe('total');
    expect(cpuPerOrder(before, after, 0)).toEqual({});

    const table = cpuTable([{ rate: 50, cpuMsPerOrder: perOrder }], 2).split('\n');
    expect(table[0]).toBe('| CPU ms per order | at 50 orders/s |');
    expect(table.slice(2)).toEqual([
      '| orders-worker | 8.0 |',
      '| postgres | 8.0 |',
      '| router | 4.0 |',
      '| **total** | **20.0** |',
      '| orders/s 2 cores could carry at this cost | 100 |',
    ]);
  });

  it('reports every bad flag at once', () => {
    const parsed = parseBenchFlags(['--scale', '0', '--targets', 'router,nginx', '--rounds', 'x']);

    expect(parsed).toEqual({
      problems: [
        '--scale must be a whole number of at least 1',
        '--rounds must be a whole number of at least 1',
        '--targets: unknown nginx (known: router, apollo-gateway, hive-gateway, hive-gateway-rust, direct)',
      ],
    });
  });

  it('takes router variants as a name and settings, and refuses malformed ones', () => {
    const parsed = parseBenchFlags([
      '--router-variant',
      'small-cache:QUERY_PLAN_CACHE_MIB=1,SUBGRAPH_CONNECTIONS=8',
      '--router-variant',
      'url:OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318/a=b',
    ]);
    expect('flags' in parsed && parsed.flags.routerVariants).toEqual([
      { name: 'small-cache', env: { QUERY_PLAN_CACHE_MIB: '1', SUBGRAPH_CONNECTIONS: '8' } },
      { name: 'url', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/a=b' } },
    ]);

    expect(
      parseBenchFlags([
        '--router-variant',
        'Big:X=1',
        '--router-variant',
        'a:lower=1',
        '--router-variant',
        'b:',
        '--router-variant',
        'b:X=2',
        '--targets',
        'apollo-gateway',
      ]),
    ).toEqual({
      problems: [
        '--router-variant Big:X=1: the name before ":" must be lower-case letters, digits and -',
        '--router-variant a:lower=1: "lower=1" is not KEY=VALUE',
        '--router-variant b:: give at least one KEY=VALUE',
        '--router-variant names must differ',
        '--router-variant needs the router among --targets',
      ],
    });
  });
});

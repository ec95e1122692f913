// The benchmark suite's own pieces, checked fast: the statement-counting Postgres proxy (against the
// real Postgres), the seed scaler (on the subgraphs' real migrations), the lean subgraphs of the
// gateways-bench scenario and their supergraph, and the arithmetic that turns rounds into the figures
// the suite prints. The suite itself is run by `npm run bench`, not here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Supergraph } from '@apollo/federation-internals';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import {
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  validate,
  type ExecutionResult,
} from 'graphql';
import pg from 'pg';
import { openDatabase, withDatabaseName } from '@supergraph/db';
import { signInternalRequest } from '@supergraph/identity';
import {
  createTestSchema,
  TEST_ADMIN_DATABASE_URL,
  TEST_DATABASE,
  type TestSchema,
} from '@supergraph/testing';
import { subgraphCost } from '../scripts/bench/costs.ts';
import { parseBenchFlags } from '../scripts/bench/flags.ts';
import { createExecutor } from '../scripts/bench/lean-subgraphs/execute.ts';
import { createLeanServer } from '../scripts/bench/lean-subgraphs/server.ts';
import { leanSchema } from '../scripts/bench/lean-subgraphs/subgraphs.ts';
import { composeLeanSupergraph } from '../scripts/bench/lean-subgraphs/supergraph.ts';
import {
  cpuByCommand,
  graphqlOperationCount,
  graphqlRequestCount,
  parseStat,
} from '../scripts/bench/measure.ts';
import { cpuUsed } from '../scripts/bench/process-cpu.ts';
import { cpuColumns, resultsMarkdown, subgraphRequestsCell } from '../scripts/bench/report.ts';
import type { RunInfo } from '../scripts/bench/run-info.ts';
import { cpuPerOrder, cpuTable } from '../scripts/bench/saga-cpu.ts';
import { GATEWAYS_BENCH_QUERY } from '../scripts/bench/scenarios.ts';
import { seedBenchData, type SeedSchemas } from '../scripts/bench/seed.ts';
import {
  classifyStatement,
  FrontendReader,
  startSqlProxy,
  type SqlProxy,
} from '../scripts/bench/sql-proxy.ts';
import { aggregate, median, type RoundResult, type ScenarioResult } from '../scripts/bench/stats.ts';
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
    cpuMsByProcess: { gateway: 5000, products: 8000, postgres: 2000, redis: 1000 },
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
    const { total, ...byProcess } = result.cpuMsPerRequestByProcess ?? {};
    expect(byProcess).toEqual({ gateway: 3, products: 4.8, postgres: 1.2, redis: 0.6 });
    expect(total).toBeCloseTo(9.6, 9);
    expect(Object.keys(result.cpuMsPerRequestByProcess ?? {}).at(-1)).toBe('total');
    // One round without /proc makes the whole figure unknown rather than low.
    expect(aggregate([round({}), round({ cpuMsByProcess: null })]).cpuMsPerRequestByProcess).toBeNull();
  });

  it("takes each process's CPU between two samples, a server's processes summed, in the sample's order", () => {
    const before = new Map([
      ['gateway', 1_000],
      ['accounts', 200],
      ['postgres#10', 2_000],
      ['postgres#11', 300],
    ]);
    const after = new Map([
      ['gateway', 1_900],
      ['accounts', 260],
      ['postgres#10', 2_100],
      ['postgres#12', 40],
      ['redis#13', 5],
    ]);

    const used = cpuUsed(before, after);

    expect(used).toEqual({ gateway: 900, accounts: 60, postgres: 140, redis: 5 });
    expect(Object.keys(used)).toEqual(['gateway', 'accounts', 'postgres', 'redis']);
  });

  it('reads CPU time and memory from /proc and GraphQL requests from a /metrics page', () => {
    const stat = '4242 (node server) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 12 0 99 123456 2048 rest';
    expect(parseStat(stat)).toEqual({ ticks: 200, rssPages: 2048 });

    const metrics = [
      'http_request_duration_seconds_count{route="/graphql",method="POST",status="200",service="products"} 41',
      'http_request_duration_seconds_count{route="/graphql",method="POST",status="400",service="products"} 1',
      'http_request_duration_seconds_count{route="/metrics",method="GET",status="200",service="products"} 7',
      'http_request_duration_seconds_sum{route="/graphql",method="POST",status="200",service="products"} 0.5',
      'graphql_operation_duration_seconds_count{operation="other",type="query",outcome="success",service="products"} 50',
      'graphql_operation_duration_seconds_count{operation="other",type="query",outcome="error",service="products"} 2',
      'graphql_operation_duration_seconds_sum{operation="other",type="query",outcome="success",service="products"} 0.4',
    ].join('\n');
    expect(graphqlRequestCount(metrics)).toBe(42);
    expect(graphqlOperationCount(metrics)).toBe(52);
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

describe('the gateways-bench scenario', () => {
  const urls = {
    accounts: 'http://127.0.0.1:14041/graphql',
    inventory: 'http://127.0.0.1:14042/graphql',
    products: 'http://127.0.0.1:14043/graphql',
    reviews: 'http://127.0.0.1:14044/graphql',
  };

  it("composes the lean subgraphs into the public benchmark's supergraph, which takes its query", () => {
    const sdl = composeLeanSupergraph(urls);
    const supergraph = Supergraph.build(sdl);

    expect(supergraph.subgraphsMetadata()).toEqual(
      Object.entries(urls).map(([name, url]) => ({ name, url })),
    );
    // The federation features the benchmark exercises: a @requires across subgraphs and a @provides.
    expect(sdl).toContain('shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")');
    expect(sdl).toContain('author: User @join__field(graph: REVIEWS, provides: "username")');
    expect(sdl).toContain(
      'username: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)',
    );
    const api = supergraph.apiSchema().toGraphQLJSSchema();
    expect(validate(api, parse(GATEWAYS_BENCH_QUERY))).toEqual([]);
  });

  describe('a lean subgraph', () => {
    const { server, counts } = createLeanServer(leanSchema('reviews'));
    let origin: string;
    const productReviews = (upc: string) => ({
      query:
        'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { reviews { id author { username } } } } }',
      variables: { r: [{ __typename: 'Product', upc }] },
    });
    const post = async (body: string) => {
      const response = await fetch(`${origin}/graphql`, {
        method: 'POST',
        // The router's signed headers arrive with every call; a lean subgraph ignores them.
        headers: {
          'content-type': 'application/json',
          ...signInternalRequest('not-checked', { identity: null, body }),
        },
        body,
      });
      return { status: response.status, json: (await response.json()) as unknown };
    };

    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('answers one operation, a batch with an array in order, and counts a batch as one request of its size', async () => {
      const single = await post(JSON.stringify(productReviews('4')));
      const batch = await post(JSON.stringify([productReviews('3'), { query: 42 }, productReviews('5')]));
      const notJson = await post('{"query":');

      expect(single).toEqual({
        status: 200,
        json: {
          data: {
            _entities: [
              {
                reviews: [
                  { id: '10', author: { username: 'urigo' } },
                  { id: '11', author: { username: 'urigo' } },
                ],
              },
            ],
          },
        },
      });
      expect(batch).toEqual({
        status: 200,
        json: [
          { data: { _entities: [{ reviews: [{ id: '9', author: { username: 'urigo' } }] }] } },
          {
            errors: [
              {
                message: 'each operation must be an object with a string `query`',
                extensions: { code: 'BAD_REQUEST' },
              },
            ],
          },
          { data: { _entities: [{ reviews: [] }] } },
        ],
      });
      expect(notJson).toEqual({
        status: 400,
        json: { errors: [{ message: 'the body is not JSON', extensions: { code: 'BAD_REQUEST' } }] },
      });
      expect(counts()).toEqual({ requests: 2, operations: 4, batches: 1 });
      expect(await (await fetch(`${origin}/counts`)).json()).toEqual(counts());
    });

    it('refuses an empty batch and a body that is not an operation, and answers validation errors', async () => {
      const empty = await post('[]');
      const scalar = await post('"{ __typename }"');
      const invalid = await post(JSON.stringify({ query: '{ nope }' }));

      expect(empty.status).toBe(400);
      expect(empty.json).toEqual({
        errors: [
          { message: 'a batch must hold at least one operation', extensions: { code: 'BAD_REQUEST' } },
        ],
      });
      expect(scalar.status).toBe(400);
      expect(invalid).toEqual({
        status: 200,
        json: {
          errors: [expect.objectContaining({ message: 'Cannot query field "nope" on type "Query".' })],
        },
      });
    });
  });

  it("runs a batch's operations with one context, and each request with its own", async () => {
    const seen: object[] = [];
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          context: {
            type: GraphQLString,
            resolve: (_source, _args, context: object) => {
              seen.push(context);
              return 'seen';
            },
          },
        },
      }),
    });
    const { answer } = createExecutor(schema);
    const operation = { query: '{ context }' };

    const batch = await answer([operation, operation]);
    await answer(operation);

    expect((batch.payload as ExecutionResult[]).map((result) => result.data)).toEqual([
      { context: 'seen' },
      { context: 'seen' },
    ]);
    expect(seen).toHaveLength(3);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[2]).not.toBe(seen[0]);
  });

  it('counts subgraph requests per operation, a batch as one request of its size', () => {
    const before = {
      accounts: { requests: 10, operations: 12, batches: 1 },
      inventory: { requests: 5, operations: 5, batches: 0 },
    };
    // 10 operations: accounts 20 single requests and 10 batches of 2; inventory 10 batches of 7.
    const after = {
      accounts: { requests: 40, operations: 52, batches: 11 },
      inventory: { requests: 15, operations: 75, batches: 10 },
    };

    expect(subgraphCost(before, after, 10)).toEqual({
      subgraphRequestsPerOperation: 4,
      subgraphRequestsPerOperationBySubgraph: { accounts: 3, inventory: 1 },
      subgraphOperationsPerOperation: 11,
      subgraphBatchesPerOperation: 2,
      subgraphOperationsPerBatch: 4.5,
    });
    // The shop's subgraphs count operations but cannot tell batches: none is claimed.
    expect(
      subgraphCost(
        { products: { requests: 0, operations: 0 } },
        { products: { requests: 20, operations: 30 } },
        10,
      ),
    ).toMatchObject({
      subgraphOperationsPerOperation: 3,
      subgraphBatchesPerOperation: null,
      subgraphOperationsPerBatch: null,
    });
  });

  it('reports CPU per request by process in a table of its own, the gateway first and the sum last', () => {
    const result = (
      target: ScenarioResult['target'],
      byProcess: Record<string, number> | null,
      cost: Partial<ScenarioResult['cost']> = {},
    ): ScenarioResult => ({
      scenario: 'gateways-bench',
      target,
      rounds: [],
      aggregate: {
        ...aggregate([]),
        cpuMsPerRequestByProcess: byProcess,
      },
      cost: {
        requests: 30,
        subgraphRequestsPerOperation: 16,
        subgraphRequestsPerOperationBySubgraph: {},
        subgraphOperationsPerOperation: 16,
        subgraphBatchesPerOperation: 0,
        subgraphOperationsPerBatch: null,
        sqlStatementsPerOperation: 0,
        sqlStatementsPerOperationBySubgraph: {},
        ...cost,
      },
    });
    const results = [
      result(
        'router',
        { gateway: 6.5, accounts: 0.2, reviews: 0.4, postgres: 0.01, redis: 0.05, total: 7.16 },
        { subgraphRequestsPerOperation: 6, subgraphBatchesPerOperation: 4, subgraphOperationsPerBatch: 3.5 },
      ),
      result('apollo-gateway', { gateway: 7.5, accounts: 0.3, reviews: 0.5, redis: 0.02, total: 8.32 }),
      result('hive-gateway', null),
    ];

    expect(cpuColumns(results.map((entry) => entry.aggregate.cpuMsPerRequestByProcess))).toEqual([
      'gateway',
      'accounts',
      'reviews',
      'postgres',
      'redis',
      'total',
    ]);
    expect(subgraphRequestsCell(results[0]?.cost as ScenarioResult['cost'])).toBe(
      '6.00 (16.00 operations; 4.00 batches of 3.5)',
    );
    expect(subgraphRequestsCell(results[1]?.cost as ScenarioResult['cost'])).toBe('16.00');

    const info = {
      date: '2030-01-01',
      commit: 'abc',
      node: 'v24',
      machine: { cpu: 'cpu', cores: 2, memoryGb: 8, kernel: '6' },
      loadAtStart: [1, 1, 1],
      loadAtEnd: [1, 1, 1],
      pinned: true,
      flags: {},
    } as unknown as RunInfo;
    const lines = resultsMarkdown(info, results, []).split('\n');
    const cpuHeader = lines.findIndex((line) => line.startsWith('| CPU ms/req |'));
    expect(lines.slice(cpuHeader, cpuHeader + 5)).toEqual([
      '| CPU ms/req | gateway | accounts | reviews | postgres (shared) | redis (shared) | total |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| our router | 6.50 | 0.20 | 0.40 | 0.01 | 0.05 | 7.16 |',
      '| @apollo/gateway (default) | 7.50 | 0.30 | 0.50 | - | 0.02 | 8.32 |',
      '| Hive Gateway | n/a | n/a | n/a | n/a | n/a | n/a |',
    ]);
  });

  it('is one of the scenarios the flags take', () => {
    const parsed = parseBenchFlags(['--quick', '--scenarios', 'gateways-bench']);

    expect('flags' in parsed && parsed.flags.scenarios).toEqual(['gateways-bench']);
  });
});

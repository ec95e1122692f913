import { randomBytes } from 'node:crypto';
import { CONSUMERS, type Consumer, type EventWorker } from '@supergraph/events';
import {
  generateSigningKeyPem,
  startTestSubgraph,
  TEST_ADMIN_DATABASE_URL,
  TEST_INTERNAL_SECRET,
  testEnv,
  type TestSubgraph,
} from '@supergraph/testing';
import { startRouter, type Router } from '../../router/src/app.ts';
import { loadEnv as loadRouterEnv } from '../../router/src/env.ts';
import { SUPERGRAPH_FILE } from '../../scripts/supergraph-config.ts';
import { routerClient, type RouterClient } from './router-client.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';
import { startInventorySubgraph } from '../../subgraphs/inventory/src/app.ts';
import { startInventoryWorker } from '../../subgraphs/inventory/src/worker.ts';
import { loadEnv as loadInventoryEnv } from '../../subgraphs/inventory/src/env.ts';
import { startNotificationsSubgraph } from '../../subgraphs/notifications/src/app.ts';
import { startNotificationsWorker } from '../../subgraphs/notifications/src/worker.ts';
import { loadEnv as loadNotificationsEnv } from '../../subgraphs/notifications/src/env.ts';
import { startOrdersSubgraph } from '../../subgraphs/orders/src/app.ts';
import { startOrdersWorker } from '../../subgraphs/orders/src/worker.ts';
import { loadEnv as loadOrdersEnv } from '../../subgraphs/orders/src/env.ts';
import { startPaymentsSubgraph } from '../../subgraphs/payments/src/app.ts';
import { startPaymentsWorker } from '../../subgraphs/payments/src/worker.ts';
import { loadEnv as loadPaymentsEnv } from '../../subgraphs/payments/src/env.ts';
import { startProductsSubgraph } from '../../subgraphs/products/src/app.ts';
import { loadEnv as loadProductsEnv } from '../../subgraphs/products/src/env.ts';
import { startUsersSubgraph } from '../../subgraphs/users/src/app.ts';
import { loadEnv as loadUsersEnv } from '../../subgraphs/users/src/env.ts';

export const SUBGRAPHS = ['users', 'products', 'inventory', 'orders', 'payments', 'notifications'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

export const SEED_CREDENTIALS = {
  admin: { email: 'admin@shop.example', password: 'admin-password' },
  customer: { email: 'customer@shop.example', password: 'customer-password' },
} as const;

export type { Result } from './router-client.ts';

export interface Shop {
  router: Router;
  subgraphs: Record<SubgraphName, TestSubgraph>;
  /** Sends an operation to the router as a client would, signed in when given a token. */
  client: RouterClient;
  /** A token for an account (the seeded ones are in SEED_CREDENTIALS). */
  login: (credentials: { email: string; password: string }) => Promise<string>;
  /** The environment a worker process of this stack gets (its subgraph's schema, the stack's queues). */
  workerEnv: (name: SubgraphName) => Record<string, string>;
  /** Creates a customer account through the router and returns its id and token. */
  register: (email: string) => Promise<{ id: string; token: string }>;
  /** SQL statements per subgraph since the last call of `resetQueries`. */
  statements: () => Record<SubgraphName, number>;
  resetQueries: () => void;
  /** The BullMQ key prefix of this stack's queues. */
  prefix: string;
  /** A superuser URL of the Postgres the stack's schemas are in. */
  databaseAdminUrl: string;
  /** The event workers, when started with `workers` (in the test's process). */
  workers: EventWorker[];
  /** The event workers, when started with `workers` and `workersAsProcesses`. */
  workerProcesses: WorkerProcess[];
  stop: () => Promise<void>;
}

export interface ShopOptions {
  /** Start the four domains' event workers too (or the ones listed), so the checkout saga runs. */
  workers?: boolean | Consumer[];
  /**
   * Run those workers as processes of their own, as they are deployed, rather than in the test's
   * process: a test that loads the saga hard keeps its work off the event loop the APIs answer on.
   */
  workersAsProcesses?: boolean;
  /** Another Redis than the shared one (a test that stops Redis runs its own). */
  redisUrl?: string;
  /** Another Postgres than the shared one, as a superuser URL (a test that restarts Postgres runs its own). */
  databaseAdminUrl?: string;
  /** Extra variables for every subgraph and worker (e.g. EVENT_ATTEMPTS). */
  env?: Record<string, string>;
  /** Extra variables for the router (e.g. PERSISTED_QUERIES). */
  routerEnv?: Record<string, string>;
}

/**
 * The whole shop as a client meets it: the committed supergraph.graphql served by the real router in
 * front of all six real subgraphs, each on a fresh Postgres schema with its seed data. Orders prices
 * orders at the products subgraph started here.
 */
export async function startShop(options: ShopOptions = {}): Promise<Shop> {
  // One queue prefix for the whole stack (its relays and workers talk to each other) and no other.
  const prefix = `shop_${randomBytes(4).toString('hex')}`;
  const seeded = (env: Record<string, string>) => ({
    ...env,
    SEED_ON_START: 'true',
    EVENT_QUEUE_PREFIX: prefix,
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  });
  const database = { databaseAdminUrl: options.databaseAdminUrl ?? TEST_ADMIN_DATABASE_URL };
  const [users, products] = await Promise.all([
    startTestSubgraph(
      'users',
      (env, hooks) =>
        startUsersSubgraph(loadUsersEnv({ ...seeded(env), JWT_PRIVATE_KEY: generateSigningKeyPem() }), hooks),
      database,
    ),
    startTestSubgraph(
      'products',
      (env, hooks) => startProductsSubgraph(loadProductsEnv(seeded(env)), hooks),
      database,
    ),
  ]);
  const [inventory, orders, payments, notifications] = await Promise.all([
    startTestSubgraph(
      'inventory',
      (env, hooks) => startInventorySubgraph(loadInventoryEnv(seeded(env)), hooks),
      database,
    ),
    startTestSubgraph(
      'orders',
      (env, hooks) =>
        startOrdersSubgraph(loadOrdersEnv({ ...seeded(env), PRODUCTS_URL: products.url }), hooks),
      database,
    ),
    startTestSubgraph(
      'payments',
      (env, hooks) => startPaymentsSubgraph(loadPaymentsEnv(seeded(env)), hooks),
      database,
    ),
    startTestSubgraph(
      'notifications',
      (env, hooks) => startNotificationsSubgraph(loadNotificationsEnv(seeded(env)), hooks),
      database,
    ),
  ]);
  const subgraphs = { users, products, inventory, orders, payments, notifications };
  // A worker's environment: its subgraph's schema and the stack's queues (a worker loads no seed data).
  const workerEnv = (subgraph: TestSubgraph) => seeded(testEnv(subgraph.schema));
  const wanted = options.workers === true ? [...CONSUMERS] : options.workers || [];
  const workerEnvOf = (consumer: Consumer) => ({
    ...workerEnv(subgraphs[consumer]),
    // One env file serves orders' API and worker; the worker prices nothing, but says where products is.
    ...(consumer === 'orders' ? { PRODUCTS_URL: products.url } : {}),
  });
  const starters: Record<Consumer, (env: Record<string, string>) => Promise<EventWorker>> = {
    inventory: (env) => startInventoryWorker(loadInventoryEnv(env)),
    orders: (env) => startOrdersWorker(loadOrdersEnv(env)),
    payments: (env) => startPaymentsWorker(loadPaymentsEnv(env)),
    notifications: (env) => startNotificationsWorker(loadNotificationsEnv(env)),
  };
  const [workers, workerProcesses] = options.workersAsProcesses
    ? [[], await Promise.all(wanted.map((consumer) => startWorkerProcess(consumer, workerEnvOf(consumer))))]
    : [await Promise.all(wanted.map((consumer) => starters[consumer](workerEnvOf(consumer)))), []];
  const router = await startRouter(
    loadRouterEnv({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      INTERNAL_SECRET: TEST_INTERNAL_SECRET,
      RATE_LIMIT_KEY_PREFIX: `${prefix}:rate-limit`,
      // These tests drive whole checkouts and catalogs from one address; rate limits have their own tests.
      RATE_LIMIT_QUERIES_PER_MINUTE: '100000',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '100000',
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      SUPERGRAPH_PATH: SUPERGRAPH_FILE.pathname,
      JWKS_URL: new URL('/.well-known/jwks.json', users.url).toString(),
      SUBGRAPH_URLS: SUBGRAPHS.map((name) => `${name}=${subgraphs[name].url}`).join(','),
      ...options.routerEnv,
    }),
  );

  const client = routerClient(router.url);

  const login: Shop['login'] = async ({ email, password }) => {
    const result = await client<{ login: { token: string } }>(
      'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
      { variables: { email, password } },
    );
    if (!result.data?.login) throw new Error(`login as ${email} failed: ${JSON.stringify(result.errors)}`);
    return result.data.login.token;
  };

  const register: Shop['register'] = async (email) => {
    const result = await client<{ register: { token: string; user: { id: string } } }>(
      'mutation ($input: RegisterInput!) { register(input: $input) { token user { id } } }',
      { variables: { input: { email, name: email.split('@')[0], password: 'a-long-enough-password' } } },
    );
    if (!result.data?.register) throw new Error(`register ${email} failed: ${JSON.stringify(result.errors)}`);
    return { id: result.data.register.user.id, token: result.data.register.token };
  };

  return {
    router,
    subgraphs,
    client,
    login,
    register,
    statements: () =>
      Object.fromEntries(
        SUBGRAPHS.map((name) => [name, subgraphs[name].queries.statements.length]),
      ) as Record<SubgraphName, number>,
    resetQueries: () => {
      for (const name of SUBGRAPHS) subgraphs[name].queries.reset();
    },
    prefix,
    databaseAdminUrl: database.databaseAdminUrl,
    workers,
    workerProcesses,
    workerEnv: (name) => workerEnv(subgraphs[name]),
    stop: async () => {
      await router.stop();
      await Promise.all([...workers, ...workerProcesses].map((worker) => worker.stop()));
      await Promise.all(SUBGRAPHS.map((name) => subgraphs[name].stop()));
    },
  };
}

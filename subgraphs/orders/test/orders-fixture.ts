import { openDatabase, type Database } from '@supergraph/db';
import type { Identity } from '@supergraph/identity';
import { SEED_PRODUCT_IDS, loadEnv as loadProductsEnv, startProductsSubgraph } from '@supergraph/products';
import { startTestSubgraph, type TestSchema, type TestSubgraph } from '@supergraph/testing';
import { startOrdersSubgraph } from '../src/app.ts';
import { entities } from '../src/entities.ts';
import { Order, OrderItem } from '../src/order.entity.ts';
import { loadEnv } from '../src/env.ts';
import { obliterateQueues } from './events-fixture.ts';
import type { CatalogProduct, ProductCatalog } from '../src/product-catalog.ts';

export { SEED_PRODUCT_IDS };

export const ADMIN: Identity = { userId: '00000000-0000-4000-8000-000000000001', role: 'ADMIN' };
export const CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-000000000002', role: 'CUSTOMER' };
export const OTHER_CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-0000000000aa', role: 'CUSTOMER' };

export const ORDER_FIELDS = `id status cancellationReason total { amount currency } user { id }
  items { product { id } quantity unitPrice { amount currency } } createdAt updatedAt`;

export const PLACE_ORDER = `mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { ${ORDER_FIELDS} } }`;
export const CANCEL_ORDER = `mutation ($id: ID!) { cancelOrder(id: $id) { ${ORDER_FIELDS} } }`;
export const ORDER = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

export interface OrderView {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  cancellationReason: string | null;
  total: { amount: number; currency: string };
  user: { id: string };
  items: Array<{
    product: { id: string };
    quantity: number;
    unitPrice: { amount: number; currency: string };
  }>;
  createdAt: string;
  updatedAt: string;
}

/** The real products subgraph with its demo catalog: orders prices orders at it as in production. */
export function startProducts(): Promise<TestSubgraph> {
  return startTestSubgraph('products', (env, hooks) =>
    startProductsSubgraph(loadProductsEnv({ ...env, SEED_ON_START: 'true' }), hooks),
  );
}

/**
 * The orders subgraph in a fresh schema, pricing at `PRODUCTS_URL` unless a catalog is handed in. Its
 * relay publishes under the schema's name as prefix; stopping it also empties those queues.
 */
export async function startOrders(
  options: { env?: Record<string, string>; catalog?: ProductCatalog; seed?: boolean } = {},
): Promise<TestSubgraph> {
  const orders = await startTestSubgraph('orders', (env, hooks) =>
    startOrdersSubgraph(
      loadEnv({ ...env, SEED_ON_START: String(options.seed ?? false), ...options.env }),
      hooks,
      options.catalog ? { catalog: options.catalog } : {},
    ),
  );
  return {
    ...orders,
    stop: async () => {
      await orders.stop();
      await obliterateQueues(orders.schema.name);
    },
  };
}

/** A second connection to a running subgraph's (or worker's) schema, to build the service on or count rows. */
export function openOrdersDatabase(subgraph: { schema: TestSchema }): Promise<Database> {
  return openDatabase({
    clientUrl: subgraph.schema.clientUrl,
    schema: subgraph.schema.name,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
    poolMax: 4,
  });
}

/** A catalog held in memory that records what it was asked, for the domain service's own tests. */
export function fakeCatalog(prices: Record<string, { amount: number; currency: string }>) {
  const calls: string[][] = [];
  const catalog: ProductCatalog & { calls: string[][] } = {
    calls,
    priceOf: async (ids) => {
      calls.push([...ids]);
      const found = new Map<string, CatalogProduct>();
      for (const id of ids) {
        const price = prices[id];
        if (price) found.set(id, { id, price });
      }
      return found;
    },
  };
  return catalog;
}

export const item = (productId: string, quantity = 1) => ({ productId, quantity });

/**
 * Writes `count` orders for a user straight into the schema, `stepMs` apart from `from`, each with two
 * items, and returns their ids in the order they were written, reversed (newest first when stepMs > 0).
 */
export async function insertOrders(
  db: Database,
  userId: string,
  count: number,
  from = new Date('2026-01-01T00:00:00.000Z'),
  stepMs = 60_000,
): Promise<string[]> {
  const em = db.em.fork();
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const createdAt = new Date(from.getTime() + index * stepMs);
    const order = em.create(Order, {
      userId,
      status: 'PENDING',
      cancellationReason: null,
      total: { amount: 1490 + 2 * 1190, currency: 'EUR' },
      idempotencyKey: null,
      requestFingerprint: null,
      createdAt,
      updatedAt: createdAt,
    });
    em.create(OrderItem, {
      order,
      position: 0,
      productId: SEED_PRODUCT_IDS.stonewareMug,
      quantity: 1,
      unitPrice: { amount: 1490, currency: 'EUR' },
    });
    em.create(OrderItem, {
      order,
      position: 1,
      productId: SEED_PRODUCT_IDS.ethiopiaBeans,
      quantity: 2,
      unitPrice: { amount: 1190, currency: 'EUR' },
    });
    ids.push(order.id);
  }
  await em.flush();
  return ids.reverse();
}

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SUPERGRAPH_FILE } from '../scripts/supergraph-config.ts';
import { SEED, SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { SEED_CREDENTIALS, startShop, type Shop } from './support/shop.ts';

// One request through the router that needs all six subgraphs, and one test per Federation 2 directive
// showing what it does for a client. The README's schema section lists the same uses.

let shop: Shop;
let customer: string;
let admin: string;

beforeAll(async () => {
  shop = await startShop();
  [customer, admin] = await Promise.all([
    shop.login(SEED_CREDENTIALS.customer),
    shop.login(SEED_CREDENTIALS.admin),
  ]);
}, 90_000);

afterAll(async () => {
  await shop?.stop();
});

const WHOLE_GRAPH = `{
  me {
    id name email
    orders(first: 5) {
      totalCount
      edges { node {
        id status total { amount currency }
        items {
          quantity unitPrice { amount currency }
          product { sku name price { amount currency } stock inStock shippingEstimate { amount currency } }
        }
        payment { status amount { amount currency } order { id total { amount currency } } }
      } }
    }
    notifications(first: 5) { kind subject status }
  }
}`;

interface WholeGraph {
  me: {
    id: string;
    name: string;
    email: string;
    orders: {
      totalCount: number;
      edges: Array<{ node: Record<string, unknown> & { items: Array<{ product: { stock: number } }> } }>;
    };
    notifications: Array<{ kind: string; subject: string; status: string }>;
  };
}

describe('one request across all six subgraphs', () => {
  it("answers the seeded customer's account, order, products, stock, payment and notifications", async () => {
    shop.resetQueries();
    const result = await shop.client<WholeGraph>(WHOLE_GRAPH, { token: customer });
    expect(result.errors).toBeUndefined();
    const me = result.data!.me;
    expect(me).toMatchObject({ id: SEED.customerId, name: 'Casey Customer', email: 'customer@shop.example' });
    expect(me.orders.totalCount).toBe(1);
    const order = me.orders.edges[0]!.node;
    expect(order).toMatchObject({
      id: SEED.orderId,
      status: 'CONFIRMED',
      total: { amount: 4170, currency: 'EUR' },
      payment: {
        status: 'AUTHORIZED',
        amount: { amount: 4170, currency: 'EUR' },
        order: { id: SEED.orderId, total: { amount: 4170, currency: 'EUR' } },
      },
    });
    expect(order.items).toEqual([
      {
        quantity: 2,
        unitPrice: { amount: 1490, currency: 'EUR' },
        product: {
          sku: 'MUG-STONE-350',
          name: 'Stoneware Mug 350 ml',
          price: { amount: 1490, currency: 'EUR' },
          stock: expect.any(Number),
          inStock: true,
          shippingEstimate: { amount: 490, currency: 'EUR' },
        },
      },
      {
        quantity: 1,
        unitPrice: { amount: 1190, currency: 'EUR' },
        product: {
          sku: 'COF-ETH-250',
          name: 'Ethiopia Yirgacheffe Coffee Beans 250 g',
          price: { amount: 1190, currency: 'EUR' },
          stock: expect.any(Number),
          inStock: true,
          shippingEstimate: { amount: 490, currency: 'EUR' },
        },
      },
    ]);
    expect(order.items.every((item) => item.product.stock > 0)).toBe(true);
    expect(me.notifications.map(({ kind, status }) => ({ kind, status }))).toEqual([
      { kind: 'ORDER_CONFIRMED', status: 'SENT' },
      { kind: 'WELCOME', status: 'SENT' },
    ]);
    // Every subgraph took part in answering it.
    const statements = shop.statements();
    for (const name of ['users', 'products', 'inventory', 'orders', 'payments', 'notifications'] as const) {
      expect({ name, touched: statements[name] > 0 }).toEqual({ name, touched: true });
    }
  });
});

describe('Federation 2 directives, as a client sees them', () => {
  it('@key: Product, User and Order are each resolved by several subgraphs through their id key', async () => {
    const result = await shop.client<{ product: Record<string, unknown> }>(
      `query ($id: ID!) { product(id: $id) { id name stock } }`,
      { variables: { id: SEED_PRODUCT_IDS.frenchPress } },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.product).toEqual({
      id: SEED_PRODUCT_IDS.frenchPress,
      name: expect.stringContaining('French Press'),
      stock: expect.any(Number),
    });
  });

  it('@requires and @external: inventory computes shippingEstimate from the price and weight products owns', async () => {
    const result = await shop.client<{ a: unknown; b: unknown }>(
      `query ($a: ID!, $b: ID!) {
        a: product(id: $a) { price { amount } weightGrams shippingEstimate { amount currency } }
        b: product(id: $b) { price { amount } weightGrams shippingEstimate { amount currency } }
      }`,
      { variables: { a: SEED_PRODUCT_IDS.espressoMachine, b: SEED_PRODUCT_IDS.monstera } },
    );
    expect(result.errors).toBeUndefined();
    // Free from 100.00 of price, however heavy; otherwise by parcel weight (2600 g: up to 5 kg, 6.90).
    expect(result.data).toEqual({
      a: { price: { amount: 149900 }, weightGrams: 24500, shippingEstimate: { amount: 0, currency: 'EUR' } },
      b: { price: { amount: 3490 }, weightGrams: 2600, shippingEstimate: { amount: 690, currency: 'EUR' } },
    });
  });

  it("@override: the router asks inventory for shippingEstimate, never products' flat rate", async () => {
    shop.resetQueries();
    const result = await shop.client<{ productBySku: unknown }>(
      '{ productBySku(sku: "PAN-CAST-26") { weightGrams shippingEstimate { amount } } }',
    );
    // products' overridden estimate would be 3 started kilograms at 4.90 = 14.70.
    expect(result.data).toEqual({ productBySku: { weightGrams: 2900, shippingEstimate: { amount: 690 } } });
  });

  it('@provides: payments answers payment.order.total itself, with no request to orders', async () => {
    shop.resetQueries();
    const result = await shop.client<{ payment: unknown }>(
      `query ($id: ID!) { payment(id: $id) { status order { id total { amount currency } } } }`,
      { variables: { id: SEED.paymentId }, token: customer },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.payment).toEqual({
      status: 'AUTHORIZED',
      order: { id: SEED.orderId, total: { amount: 4170, currency: 'EUR' } },
    });
    expect(shop.statements().orders).toBe(0);
  });

  it('@shareable: Money and PageInfo come from whichever subgraph resolves the field', async () => {
    const result = await shop.client<{ me: { orders: unknown } }>(
      '{ me { orders(first: 1) { pageInfo { hasNextPage endCursor } edges { node { total { currency } } } } } }',
      { token: customer },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.me.orders).toEqual({
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      edges: [{ node: { total: { currency: 'EUR' } } }],
    });
  });

  it('@inaccessible: the batch lookup orders uses is not part of the public API', async () => {
    const result = await shop.client(`{ productsByIds(ids: ["${SEED_PRODUCT_IDS.stonewareMug}"]) { id } }`, {
      token: admin,
    });
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(result.errors?.[0]?.message).toContain('Cannot query field "productsByIds"');

    // ...while orders still prices an order through it.
    const placed = await shop.client<{ placeOrder: { total: unknown } }>(
      `mutation ($productId: ID!) {
        placeOrder(input: { items: [{ productId: $productId, quantity: 3 }] }) { total { amount currency } }
      }`,
      { variables: { productId: SEED_PRODUCT_IDS.stonewareMug }, token: customer },
    );
    expect(placed.errors).toBeUndefined();
    expect(placed.data!.placeOrder.total).toEqual({ amount: 4470, currency: 'EUR' });
  });

  it('@tag: the admin-only mutations carry the admin tag, and restock through the router works', async () => {
    const supergraph = readFileSync(SUPERGRAPH_FILE, 'utf8');
    for (const field of ['createProduct', 'updateProduct', 'restock']) {
      expect(supergraph).toMatch(new RegExp(`${field}\\([^)]*\\): Product! [^\\n]*@tag\\(name: "admin"\\)`));
    }
    const before = await shop.client<{ product: { stock: number } }>(
      `query ($id: ID!) { product(id: $id) { stock } }`,
      { variables: { id: SEED_PRODUCT_IDS.oakBoard } },
    );
    const result = await shop.client<{ restock: { sku: string; stock: number; inStock: boolean } }>(
      `mutation ($id: ID!) { restock(productId: $id, quantity: 7) { sku stock inStock } }`,
      { variables: { id: SEED_PRODUCT_IDS.oakBoard }, token: admin },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.restock).toEqual({
      sku: 'BRD-OAK-40',
      stock: before.data!.product.stock + 7,
      inStock: true,
    });
  });
});

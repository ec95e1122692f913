import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '@supergraph/db';
import { createPaymentService } from '../subgraphs/payments/src/payment.service.ts';
import { entities as paymentEntities } from '../subgraphs/payments/src/entities.ts';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { SEED_CREDENTIALS, startShop, type Shop, type SubgraphName } from './support/shop.ts';

// No N+1 anywhere: however many orders, items and products a page holds, each subgraph answers its
// part of a query with at most two SQL statements, and the count does not grow with the page size.

const ORDER_COUNT = 55;
const EXTRA_PRODUCTS = 30;

let shop: Shop;
let shopper: { id: string; token: string };

const MY_ORDERS = `query ($first: Int!) {
  me {
    orders(first: $first) {
      edges { node {
        items { product { name stock shippingEstimate { amount } } }
        payment { status }
      } }
    }
  }
}`;

const CATALOG = `query ($first: Int!) {
  products(first: $first) { edges { node { stock inStock shippingEstimate { amount currency } } } }
}`;

interface MyOrders {
  me: { orders: { edges: Array<{ node: { items: unknown[]; payment: { status: string } | null } }> } };
}

beforeAll(async () => {
  shop = await startShop();
  const admin = await shop.login(SEED_CREDENTIALS.admin);
  shopper = await shop.register('big-spender@example.com');

  // A catalog of more than 50 products, every one stocked.
  for (let index = 1; index <= EXTRA_PRODUCTS; index += 1) {
    const created = await shop.client<{ createProduct: { id: string } }>(
      `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      {
        token: admin,
        variables: {
          input: {
            sku: `BULK-${index}`,
            name: `Bulk item ${index}`,
            description: 'For counting statements.',
            price: { amount: 500 + index * 700, currency: 'EUR' },
            weightGrams: 150 * index,
          },
        },
      },
    );
    const id = created.data!.createProduct.id;
    await shop.client(`mutation ($id: ID!) { restock(productId: $id, quantity: 10) { id } }`, {
      token: admin,
      variables: { id },
    });
  }

  // More orders than the largest page, two items each, placed through the router.
  const products = Object.values(SEED_PRODUCT_IDS);
  const orderIds: string[] = [];
  for (let index = 0; index < ORDER_COUNT; index += 1) {
    const placed = await shop.client<{
      placeOrder: { id: string; total: { amount: number; currency: string } };
    }>(`mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id total { amount currency } } }`, {
      token: shopper.token,
      variables: {
        input: {
          items: [
            { productId: products[index % products.length], quantity: 1 },
            { productId: products[(index + 7) % products.length], quantity: 2 },
          ],
        },
      },
    });
    orderIds.push(placed.data!.placeOrder.id);
    // Payments come from the checkout saga (next issue); here the payment service records them directly.
    if (index % 2 === 0) {
      await authorize(placed.data!.placeOrder.id, placed.data!.placeOrder.total);
    }
  }
  expect(orderIds).toHaveLength(ORDER_COUNT);
}, 180_000);

async function authorize(orderId: string, amount: { amount: number; currency: string }) {
  const { schema } = shop.subgraphs.payments;
  const orm = await openDatabase({
    clientUrl: schema.clientUrl,
    schema: schema.name,
    entities: paymentEntities,
    migrationsPath: new URL('../subgraphs/payments/migrations', import.meta.url).pathname,
  });
  try {
    const payments = createPaymentService(orm.em.fork(), {
      authorize: async () => ({ outcome: 'AUTHORIZED', reference: `test_${orderId}` }),
      refund: async () => {},
    });
    await payments.authorize({ orderId, userId: shopper.id, amount });
  } finally {
    await orm.close();
  }
}

afterAll(async () => {
  await shop?.stop();
});

async function statementsFor(query: string, first: number, token?: string) {
  shop.resetQueries();
  const result = await shop.client(query, { variables: { first }, token });
  expect(result.errors).toBeUndefined();
  return { result, statements: shop.statements() };
}

function expectAtMostTwoEach(statements: Record<SubgraphName, number>, names: SubgraphName[]) {
  for (const name of names) {
    expect({ name, atMostTwo: statements[name] <= 2 }).toEqual({ name, atMostTwo: true });
  }
}

describe('SQL statements per subgraph', () => {
  it('me { orders(first: 50) { items { product { name stock shippingEstimate } } payment { status } } }', async () => {
    const small = await statementsFor(MY_ORDERS, 5, shopper.token);
    const large = await statementsFor(MY_ORDERS, 50, shopper.token);

    const edges = (large.result.data as unknown as MyOrders).me.orders.edges;
    expect(edges).toHaveLength(50);
    expect(edges.every((edge) => edge.node.items.length === 2)).toBe(true);
    expect(edges.filter((edge) => edge.node.payment?.status === 'AUTHORIZED').length).toBeGreaterThan(20);

    expectAtMostTwoEach(large.statements, ['users', 'orders', 'products', 'inventory', 'payments']);
    expect(large.statements.notifications).toBe(0);
    // Ten times the page, the same statements.
    expect(large.statements).toEqual(small.statements);
  });

  it('products(first: 50) { stock inStock shippingEstimate }', async () => {
    const small = await statementsFor(CATALOG, 5);
    const large = await statementsFor(CATALOG, 50);

    const edges = (large.result.data as { products: { edges: Array<{ node: { stock: number } }> } }).products
      .edges;
    expect(edges).toHaveLength(50);
    expect(edges.every((edge) => edge.node.stock > 0)).toBe(true);

    expectAtMostTwoEach(large.statements, ['products', 'inventory']);
    expect(large.statements).toEqual(small.statements);
  });
});

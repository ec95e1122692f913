import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from '@jest/globals';
import type { Identity } from '@supergraph/identity';
import { generateSigningKeyPem } from '@supergraph/testing';
import { entities as inventoryEntities } from '../subgraphs/inventory/src/entities.ts';
import { createEventHandlers as inventoryHandlers } from '../subgraphs/inventory/src/event-handlers.ts';
import { createLoaders as inventoryLoaders } from '../subgraphs/inventory/src/loaders.ts';
import { createStockService } from '../subgraphs/inventory/src/stock.service.ts';
import { entities as notificationsEntities } from '../subgraphs/notifications/src/entities.ts';
import { createEventHandlers as notificationsHandlers } from '../subgraphs/notifications/src/event-handlers.ts';
import { createLoaders as notificationsLoaders } from '../subgraphs/notifications/src/loaders.ts';
import { notificationIdFor } from '../subgraphs/notifications/src/notification-id.ts';
import { entities as ordersEntities } from '../subgraphs/orders/src/entities.ts';
import { startSagaSweeper } from '../subgraphs/orders/src/saga-sweeper.ts';
import { createEventHandlers as ordersHandlers } from '../subgraphs/orders/src/event-handlers.ts';
import { createLoaders as ordersLoaders } from '../subgraphs/orders/src/loaders.ts';
import { createOrderService } from '../subgraphs/orders/src/order.service.ts';
import type { ProductCatalog } from '../subgraphs/orders/src/product-catalog.ts';
import { entities as paymentsEntities } from '../subgraphs/payments/src/entities.ts';
import { createEventHandlers as paymentsHandlers } from '../subgraphs/payments/src/event-handlers.ts';
import { createLoaders as paymentsLoaders } from '../subgraphs/payments/src/loaders.ts';
import { createPaymentService } from '../subgraphs/payments/src/payment.service.ts';
import { entities as productsEntities } from '../subgraphs/products/src/entities.ts';
import { createLoaders as productsLoaders } from '../subgraphs/products/src/loaders.ts';
import { listProducts } from '../subgraphs/products/src/product-page.ts';
import { SEED_PRODUCT_IDS, seedProducts } from '../subgraphs/products/src/seed.ts';
import { entities as usersEntities } from '../subgraphs/users/src/entities.ts';
import { createHashingQueue } from '../subgraphs/users/src/hashing-queue.ts';
import { createLoaders as usersLoaders } from '../subgraphs/users/src/loaders.ts';
import { createPasswordHasher } from '../subgraphs/users/src/password-hasher.ts';
import { createTokenIssuer, type TokenIssuer } from '../subgraphs/users/src/tokens.ts';
import { createUserService } from '../subgraphs/users/src/user.service.ts';
import { envelope, eventPaths, handle, itUsesIndexes, SILENT } from './support/lookup-paths.ts';
import { openPlannedSchema, type PlannedSchema } from './support/query-plans.ts';

// Every way each subgraph looks a row up (reference resolvers, DataLoaders, pages, relations, uniqueness
// checks, event handlers, the outbox and consumer plumbing) is served by an index: each path runs the
// subgraph's own code against its migrated schema, and every statement it sends is planned with
// sequential scans off. The README's "Lookup paths and their indexes" lists the same paths.

const ENTITIES = {
  users: usersEntities,
  products: productsEntities,
  inventory: inventoryEntities,
  orders: ordersEntities,
  payments: paymentsEntities,
  notifications: notificationsEntities,
};

const CUSTOMER: Identity = { userId: randomUUID(), role: 'CUSTOMER' };
const ADMIN: Identity = { userId: randomUUID(), role: 'ADMIN' };
const EUR = (amount: number) => ({ amount, currency: 'EUR' });
const MUG = SEED_PRODUCT_IDS.stonewareMug;
const KETTLE = SEED_PRODUCT_IDS.gooseneckKettle;

/** The subgraph's migrated schema for the describe block's tests, with its data set up. */
function planned(
  subgraph: keyof typeof ENTITIES,
  setUp: (db: PlannedSchema) => Promise<void> = async () => {},
) {
  let db: PlannedSchema;
  beforeAll(async () => {
    db = await openPlannedSchema(subgraph, {
      entities: ENTITIES[subgraph],
      migrationsPath: new URL(`../subgraphs/${subgraph}/migrations`, import.meta.url).pathname,
    });
    await setUp(db);
  });
  afterAll(() => db?.close());
  return () => db;
}

describe('users', () => {
  let tokens: TokenIssuer;
  const passwords = createPasswordHasher(createHashingQueue({ concurrency: 1, maxWaitMs: 60_000 }));
  let userId: string;
  const account = { email: 'ada@example.com', name: 'Ada', password: 'correct horse battery' };
  const db = planned('users', async ({ orm }) => {
    tokens = await createTokenIssuer({
      privateKeyPem: generateSigningKeyPem(),
      issuer: 'lookup-indexes',
      audience: 'lookup-indexes',
      ttlSeconds: 60,
    });
    userId = (await createUserService(orm.em.fork(), tokens, passwords).register(account)).user.id;
  });

  itUsesIndexes(db, [
    {
      path: 'User by id: User reference, user(id), me',
      indexes: ['user_account_pkey'],
      run: async (em) => {
        await usersLoaders(em).userById.load(userId);
        await createUserService(em, tokens, passwords).me({ userId, role: 'CUSTOMER' });
      },
    },
    {
      path: 'login: account by email',
      indexes: ['user_account_email_unique'],
      run: (em) =>
        createUserService(em, tokens, passwords)
          .login(account.email, 'a wrong password')
          .catch(() => null),
    },
    {
      path: 'register: is the email taken',
      indexes: ['user_account_email_unique'],
      run: (em) =>
        createUserService(em, tokens, passwords).register({ ...account, email: 'grace@example.com' }),
    },
    ...eventPaths(() => db()),
  ]);
});

describe('products', () => {
  const db = planned('products', async ({ orm }) => {
    await seedProducts(orm.em.fork());
  });

  itUsesIndexes(db, [
    {
      path: 'Product by id: product(id), productsByIds, Product reference @key(id)',
      indexes: ['product_pkey'],
      run: (em) => productsLoaders(em).productById(MUG),
    },
    {
      path: 'Product by sku: productBySku, Product reference @key(sku)',
      indexes: ['product_sku_unique'],
      run: async (em) => productsLoaders(em).productBySku((await productsLoaders(em).productById(MUG))!.sku),
    },
    {
      path: 'catalog: products(first), oldest first',
      indexes: ['product_created_at_id_index'],
      run: (em) => listProducts(em, { first: 5 }),
    },
    {
      path: 'catalog: products(first, after), from the cursor on',
      indexes: ['product_created_at_id_index'],
      run: async (em) => {
        const { pageInfo } = await listProducts(em.fork(), { first: 5 });
        return listProducts(em, { first: 5, after: pageInfo.endCursor });
      },
    },
  ]);
});

describe('inventory', () => {
  const reserved = randomUUID();
  const placed = (orderId: string, quantity: number) =>
    envelope('OrderPlaced', {
      orderId,
      userId: CUSTOMER.userId,
      items: [{ productId: MUG, quantity, unitPrice: EUR(1490) }],
      total: EUR(1490 * quantity),
    });
  const handlers = inventoryHandlers({ logger: SILENT });
  const db = planned('inventory', async ({ orm }) => {
    await createStockService(orm.em.fork()).restock(ADMIN, MUG, 10);
  });

  itUsesIndexes(db, [
    {
      path: 'Product.stock, Product.inStock: stock by product id',
      indexes: ['stock_level_pkey'],
      run: (em) => inventoryLoaders(em).availableUnits(MUG),
    },
    {
      path: 'restock: add units to the product',
      indexes: ['stock_level_pkey'],
      run: (em) => createStockService(em).restock(ADMIN, MUG, 1),
    },
    {
      // The claim is an `insert ... on conflict do nothing`: the primary key refuses a second one, and
      // plans name no arbiter for it.
      path: 'OrderPlaced: claim the reservation, take units',
      indexes: ['stock_level_pkey'],
      run: (em) => handle(handlers, em, placed(reserved, 2)),
    },
    {
      path: 'OrderPlaced again for the same order: its recorded outcome',
      indexes: ['reservation_pkey'],
      run: (em) => handle(handlers, em, placed(reserved, 2)),
    },
    {
      path: 'OrderPlaced short of stock: the shortages, the rejection',
      indexes: ['reservation_pkey', 'stock_level_pkey'],
      run: (em) => handle(handlers, em, placed(randomUUID(), 100)),
    },
    {
      path: "OrderCancelled, PaymentDeclined: release the order's lines",
      indexes: ['reservation_pkey', 'reservation_line_pkey', 'stock_level_pkey'],
      run: (em) =>
        handle(
          handlers,
          em,
          envelope('OrderCancelled', {
            orderId: reserved,
            userId: CUSTOMER.userId,
            total: EUR(2980),
            reason: 'Cancelled by the customer.',
          }),
        ),
    },
    ...eventPaths(() => db(), 'inventory'),
  ]);
});

describe('orders', () => {
  const catalog: ProductCatalog = {
    priceOf: async (ids) => new Map(ids.map((id) => [id, { id, price: EUR(1490) }])),
  };
  const order = { items: [{ productId: MUG, quantity: 1 }], idempotencyKey: 'lookup-paths' };
  const orderIds: string[] = [];
  const handlers = ordersHandlers({ logger: SILENT });
  const db = planned('orders', async ({ orm }) => {
    const service = createOrderService(orm.em.fork(), catalog);
    orderIds.push((await service.placeOrder(CUSTOMER, order)).id);
    for (const productId of [MUG, KETTLE]) {
      const placed = await createOrderService(orm.em.fork(), catalog).placeOrder(CUSTOMER, {
        items: [{ productId, quantity: 2 }],
      });
      orderIds.push(placed.id);
    }
  });
  const ordersOf = (em: Parameters<typeof ordersLoaders>[0], after?: string | null) =>
    createOrderService(em, catalog).ordersOf(CUSTOMER, CUSTOMER.userId, { first: 2, after });

  itUsesIndexes(db, [
    {
      path: 'Order by id: order(id), Order reference, cancelOrder',
      indexes: ['customer_order_pkey'],
      run: (em) => createOrderService(em, catalog).order(CUSTOMER, orderIds[0]!),
    },
    {
      path: "Order.items: the orders' items by order id",
      indexes: ['order_item_pkey'],
      run: (em) => ordersLoaders(em).itemsByOrderId.loadMany(orderIds),
    },
    {
      path: 'User.orders(first): newest first',
      indexes: ['customer_order_user_id_created_at_id_index'],
      run: (em) => ordersOf(em),
    },
    {
      path: 'User.orders(first, after): from the cursor on',
      indexes: ['customer_order_user_id_created_at_id_index'],
      run: async (em) => ordersOf(em, (await ordersOf(em.fork())).pageInfo.endCursor),
    },
    {
      path: 'User.orders totalCount: orders by user',
      // Both lead with user_id, and a count reads either.
      indexes: [
        ['customer_order_user_id_created_at_id_index', 'customer_order_user_id_idempotency_key_unique'],
      ],
      run: (em) => ordersLoaders(em).orderCountByUserId.load(CUSTOMER.userId),
    },
    {
      path: 'placeOrder retried: the order of its idempotency key',
      indexes: ['customer_order_user_id_idempotency_key_unique'],
      run: (em) => createOrderService(em, catalog).placeOrder(CUSTOMER, order),
    },
    {
      path: 'PaymentAuthorized: confirm the order',
      indexes: ['customer_order_pkey'],
      run: (em) =>
        handle(
          handlers,
          em,
          envelope('PaymentAuthorized', {
            orderId: orderIds[1]!,
            userId: CUSTOMER.userId,
            paymentId: randomUUID(),
            amount: EUR(2980),
          }),
        ),
    },
    {
      path: 'InventoryRejected, PaymentDeclined: cancel the order',
      indexes: ['customer_order_pkey'],
      run: (em) =>
        handle(
          handlers,
          em,
          envelope('PaymentDeclined', {
            orderId: orderIds[2]!,
            userId: CUSTOMER.userId,
            paymentId: randomUUID(),
            reason: 'declined',
          }),
        ),
    },
    {
      path: 'saga sweeper: PENDING orders past a bound, oldest first, with their OrderPlaced',
      indexes: ['customer_order_pending_created_at_index', 'outbox_event_pkey'],
      run: async () => {
        const sweeper = startSagaSweeper({
          orm: db().orm,
          logger: SILENT,
          intervalMs: 3_600_000,
          redriveAfterMs: 1,
          cancelAfterMs: 3_600_000,
        });
        try {
          await sweeper.sweep();
        } finally {
          await sweeper.stop();
        }
      },
    },
    ...eventPaths(() => db(), 'orders'),
  ]);
});

describe('payments', () => {
  const provider = {
    authorize: async () => ({ outcome: 'AUTHORIZED' as const, reference: `pi_${randomUUID()}` }),
    refund: async () => {},
  };
  const handlers = paymentsHandlers({ provider });
  const authorizedOrder = randomUUID();
  let paymentId: string;
  const db = planned('payments', async ({ orm }) => {
    const outcome = await createPaymentService(orm.em.fork(), provider).authorize({
      orderId: authorizedOrder,
      userId: CUSTOMER.userId,
      amount: EUR(1490),
    });
    paymentId = outcome.payment!.id;
  });

  itUsesIndexes(db, [
    {
      path: 'Payment by id: payment(id), Payment reference',
      indexes: ['payment_pkey'],
      run: (em) => paymentsLoaders(em).paymentById(paymentId),
    },
    {
      path: "Order.payment: the order's payment",
      indexes: ['payment_order_id_unique'],
      run: (em) => paymentsLoaders(em).paymentByOrderId(authorizedOrder),
    },
    {
      path: 'InventoryReserved: cancelled already? paid already? then authorize',
      indexes: ['cancelled_order_pkey', 'payment_order_id_unique'],
      run: (em) =>
        handle(
          handlers,
          em,
          envelope('InventoryReserved', { orderId: randomUUID(), userId: CUSTOMER.userId, total: EUR(990) }),
        ),
    },
    {
      path: 'OrderCancelled: remember the order, refund its payment',
      indexes: ['cancelled_order_pkey', 'payment_order_id_unique', 'payment_pkey'],
      run: (em) =>
        handle(
          handlers,
          em,
          envelope('OrderCancelled', {
            orderId: authorizedOrder,
            userId: CUSTOMER.userId,
            total: EUR(1490),
            reason: 'Cancelled by the customer.',
          }),
        ),
    },
    ...eventPaths(() => db(), 'payments'),
  ]);
});

describe('notifications', () => {
  const transport = { send: async () => {}, close: async () => {} };
  const handlers = notificationsHandlers({ transport });
  const registered = envelope('UserRegistered', {
    userId: CUSTOMER.userId,
    email: 'ada@example.com',
    name: 'Ada',
  });
  const db = planned('notifications');

  itUsesIndexes(db, [
    {
      path: 'UserRegistered: the recipient upserted, the welcome recorded, claimed and marked sent',
      indexes: ['recipient_pkey', 'notification_event_id_user_id_unique', 'notification_pkey'],
      run: (em) => handle(handlers, em, registered),
    },
    {
      path: 'UserRegistered delivered again: the notification sent already, by (event, user)',
      indexes: ['notification_event_id_user_id_unique'],
      run: (em) => handle(handlers, em, registered),
    },
    {
      path: "OrderConfirmed, OrderCancelled: the recipient's address by user id",
      indexes: ['recipient_pkey', 'notification_event_id_user_id_unique'],
      run: (em) =>
        handle(
          handlers,
          em,
          envelope('OrderConfirmed', { orderId: randomUUID(), userId: CUSTOMER.userId, total: EUR(1490) }),
        ),
    },
    {
      path: 'Notification by id: Notification reference',
      indexes: ['notification_pkey'],
      run: (em) =>
        notificationsLoaders(em).notificationById(notificationIdFor(registered.id, CUSTOMER.userId)),
    },
    {
      path: 'User.notifications(first): newest first',
      indexes: ['notification_user_id_created_at_id_index'],
      run: (em) => notificationsLoaders(em).notificationsOf(CUSTOMER.userId, 20),
    },
    ...eventPaths(() => db(), 'notifications'),
  ]);
});

import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, notFound } from '@supergraph/errors';
import { recordEvent } from '@supergraph/events';
import type { Identity } from '@supergraph/identity';
import { canSeeOrdersOf, requireOrdersOf, requireSignedIn } from './authorization.ts';
import { isUuid } from '@supergraph/db';
import { createLoaders, type Loaders } from './loaders.ts';
import { priceItems, validatePlaceOrder, type OrderRequest, type PlaceOrderInput } from './order-input.ts';
import { pageKey, toPage, type OrderPage } from './order-page.ts';
import { createOrderTransitions } from './order-transitions.ts';
import { Order, OrderItem, type OrderRecord } from './order.entity.ts';
import type { ProductCatalog } from './product-catalog.ts';

export type OrderService = ReturnType<typeof createOrderService>;

const IDEMPOTENCY_CONSTRAINT = 'customer_order_user_id_idempotency_key_unique';

export const CANCELLED_BY = {
  CUSTOMER: 'Cancelled by the customer.',
  ADMIN: 'Cancelled by an admin.',
} as const;

function isIdempotencyConflict(error: unknown): boolean {
  return (
    error instanceof UniqueConstraintViolationException &&
    (error as { constraint?: string }).constraint === IDEMPOTENCY_CONSTRAINT
  );
}

/**
 * Orders' rules: who may see and change an order, how one is placed at today's prices exactly once per
 * idempotency key, and the status transitions the checkout saga drives. No GraphQL here; the saga's
 * workers call `confirm` and `cancel` with no caller identity.
 */
export function createOrderService(
  em: EntityManager,
  catalog: ProductCatalog,
  loaders: Loaders = createLoaders(em),
) {
  const transitions = createOrderTransitions(em);

  /** The order a key already placed for this user: the same one for a retry, refused for other items. */
  async function orderPlacedWith(userId: string, request: OrderRequest): Promise<OrderRecord | null> {
    if (request.idempotencyKey === null) return null;
    const order = await em.findOne(Order, { userId, idempotencyKey: request.idempotencyKey });
    if (order && order.requestFingerprint !== request.fingerprint) {
      throw badUserInput(
        `idempotencyKey ${JSON.stringify(request.idempotencyKey)} was already used for a different order; send a new key to place a new order`,
        { fields: ['idempotencyKey'] },
      );
    }
    return order;
  }

  async function visibleOrder(caller: Identity, id: string): Promise<OrderRecord | null> {
    if (!isUuid(id)) return null;
    const order = await loaders.orderById.load(id.toLowerCase());
    return order && canSeeOrdersOf(caller, order.userId) ? order : null;
  }

  return {
    /** Places an order at the catalog's prices, PENDING; the same idempotency key returns the same order. */
    async placeOrder(identity: Identity | null, input: PlaceOrderInput): Promise<OrderRecord> {
      const caller = requireSignedIn(identity, 'You must be signed in to place an order.');
      const request = validatePlaceOrder(input);
      const userId = caller.userId.toLowerCase();
      // A retry is answered from Postgres alone: it must work while products is down, and costs no call.
      const replayed = await orderPlacedWith(userId, request);
      if (replayed) return replayed;

      const prices = await catalog.priceOf(request.items.map((item) => item.productId));
      const { items, total } = priceItems(request.items, prices);
      try {
        const { order, lines } = await em.transactional(async (tx) => {
          const created = tx.create(Order, {
            userId,
            status: 'PENDING',
            cancellationReason: null,
            total,
            idempotencyKey: request.idempotencyKey,
            requestFingerprint: request.idempotencyKey === null ? null : request.fingerprint,
          });
          const lines = items.map((item, position) =>
            tx.create(OrderItem, {
              order: created,
              position,
              productId: item.productId,
              quantity: item.quantity,
              unitPrice: item.unitPrice,
            }),
          );
          await tx.flush();
          // In the same transaction: the order and its OrderPlaced event exist together or not at all.
          // The event has the order's id, so the saga sweeper re-drives it without a search.
          await recordEvent(
            tx,
            'OrderPlaced',
            {
              orderId: created.id,
              userId,
              items: items.map(({ productId, quantity, unitPrice }) => ({ productId, quantity, unitPrice })),
              total,
            },
            { id: created.id },
          );
          return { order: created, lines };
        });
        // The response's items need no second read: they are exactly what was just written.
        loaders.orderById.prime(order.id, order);
        loaders.itemsByOrderId.prime(order.id, lines);
        return order;
      } catch (error) {
        // Two requests with one key raced past the lookup; the unique constraint let one insert win.
        if (isIdempotencyConflict(error)) {
          const winner = await orderPlacedWith(userId, request);
          if (winner) return winner;
        }
        throw error;
      }
    },

    /** A customer cancels their own order, an admin any; an already cancelled order comes back as it is. */
    async cancelOrder(identity: Identity | null, id: string): Promise<OrderRecord> {
      const caller = requireSignedIn(identity, 'You must be signed in to cancel an order.');
      const order = await visibleOrder(caller, id);
      // Someone else's order is "not found" too: the answer must not reveal that it exists.
      if (!order) throw notFound(`no order has the id ${id}`);
      if (order.status === 'CANCELLED') return order;
      const reason = caller.role === 'ADMIN' ? CANCELLED_BY.ADMIN : CANCELLED_BY.CUSTOMER;
      await transitions.cancel(order.id, reason);
      // Whoever won, the order is cancelled now; read it back as Postgres holds it.
      return em.refreshOrFail(order);
    },

    /** Null for an order the caller may not see, as for one that does not exist. */
    order(identity: Identity | null, id: string): Promise<OrderRecord | null> {
      return visibleOrder(requireSignedIn(identity, 'You must be signed in to see an order.'), id);
    },

    /** A reference from another subgraph (payments' Order.payment): null unless the caller may see it. */
    async orderReference(identity: Identity | null, id: string): Promise<OrderRecord | null> {
      return identity ? visibleOrder(identity, id) : null;
    },

    /** A user's orders, newest first: the user themself or an admin. */
    async ordersOf(
      identity: Identity | null,
      userId: string,
      args: { first?: number | null; after?: string | null },
    ): Promise<OrderPage> {
      requireOrdersOf(identity, userId);
      const key = pageKey(userId, args.first, args.after);
      if (!isUuid(key.userId)) return toPage(key, [], async () => 0);
      return loaders.orderPage.load(key);
    },

    items: (order: OrderRecord) => loaders.itemsByOrderId.load(order.id),

    /** The saga: payment authorized. PENDING becomes CONFIRMED; a cancelled order stays cancelled. */
    confirm: transitions.confirm,

    /** The saga: stock or payment failed. A PENDING or CONFIRMED order becomes CANCELLED with the reason. */
    cancel: transitions.cancel,
  };
}

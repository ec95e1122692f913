import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent, type EventEnvelope, type EventHandlers } from '@supergraph/events';
import type { Logger } from '@supergraph/logging';
import type { Shortage } from './reservation.entity.ts';
import { createStockService } from './stock.service.ts';

export interface InventoryHandlerDeps {
  logger: Logger;
}

/** Why an order cannot have its stock, product by product, as the order's cancellation reason. */
export function describeShortages(shortages: readonly Shortage[]): string {
  const products = shortages.map(
    (shortage) =>
      `product ${shortage.productId}: ${shortage.requested} requested, ${shortage.available} available`,
  );
  return `not enough stock: ${products.join('; ')}`;
}

/** The follow-up event continues the trace of the event that caused it. */
function traceOf(event: EventEnvelope): { traceparent?: string } {
  return event.traceparent ? { traceparent: event.traceparent } : {};
}

/** Gives an order's units back; an order never reserved, or released already, changes nothing. */
async function release(em: EntityManager, event: EventEnvelope<'PaymentDeclined' | 'OrderCancelled'>) {
  await createStockService(em).release(event.data.orderId);
}

/**
 * Inventory's part of the checkout saga. Each handler runs on the consumer's transaction (the one that
 * records the event as processed), so the stock change and the outcome event commit together or not at
 * all. The outcome is announced only by the call that decided it: a replayed reservation (the order was
 * decided before) or one cancelled before it arrived (RELEASED) announces nothing.
 */
export function createEventHandlers({ logger }: InventoryHandlerDeps): EventHandlers {
  return {
    OrderPlaced: async (event, em) => {
      const { orderId, userId, items, total } = event.data;
      const outcome = await createStockService(em).reserve(
        orderId,
        items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
      );
      if (outcome.replayed) {
        logger.info({ orderId, status: outcome.status }, 'order already decided; nothing to announce');
        return;
      }
      if (outcome.status === 'RESERVED') {
        await recordEvent(em, 'InventoryReserved', { orderId, userId, total }, traceOf(event));
        return;
      }
      await recordEvent(
        em,
        'InventoryRejected',
        { orderId, userId, reason: describeShortages(outcome.shortages), shortages: outcome.shortages },
        traceOf(event),
      );
    },
    PaymentDeclined: (event, em) => release(em, event),
    OrderCancelled: (event, em) => release(em, event),
  };
}

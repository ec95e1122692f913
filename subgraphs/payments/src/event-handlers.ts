import type { EventHandlers } from '@supergraph/events';
import type { ProviderCalls } from './guarded-payment-provider.ts';
import { createPaymentService } from './payment.service.ts';

export interface EventHandlerDeps {
  /** The provider behind its breaker: a failure throws SERVICE_UNAVAILABLE and the job is retried. */
  provider: ProviderCalls;
}

/**
 * Payments' part of the checkout saga. Each handler works on the job's EntityManager, inside the
 * transaction that marks the event processed, so the payment, its follow-up event and the processed
 * mark commit together or not at all.
 */
export function createEventHandlers(deps: EventHandlerDeps): EventHandlers {
  return {
    // Stock is held: authorize the total. The service records PaymentAuthorized or PaymentDeclined
    // only when it creates the payment, and does nothing for an order cancelled in the meantime.
    InventoryReserved: async (event, em) => {
      const { orderId, userId, total } = event.data;
      await createPaymentService(em, deps.provider).authorize(
        { orderId, userId, amount: total },
        { traceparent: event.traceparent },
      );
    },
    // Whatever the reason, a cancelled order keeps none of the customer's money.
    OrderCancelled: async (event, em) => {
      await createPaymentService(em, deps.provider).cancelOrder(event.data.orderId);
    },
  };
}

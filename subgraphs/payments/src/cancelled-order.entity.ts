import { defineEntity, p } from '@mikro-orm/core';

/**
 * An order payments heard was cancelled (OrderCancelled). Cancellation can overtake the saga: the
 * order may be cancelled before InventoryReserved reaches payments, and an authorization that
 * arrives afterwards must not hold the customer's money for an order that no longer exists.
 */
export const CancelledOrder = defineEntity({
  name: 'CancelledOrder',
  tableName: 'cancelled_order',
  schema: '*',
  properties: {
    orderId: p.uuid().primary(),
    cancelledAt: p.datetime(),
  },
});

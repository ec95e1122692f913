import type { EventType } from './contracts.ts';

/** The domains that consume events; each has its own queue and its own worker process. */
export const CONSUMERS = ['inventory', 'orders', 'payments', 'notifications'] as const;
export type Consumer = (typeof CONSUMERS)[number];

/** Which consuming domains receive which event type (DESIGN section 5). */
export const EVENT_ROUTES: Record<EventType, readonly Consumer[]> = {
  UserRegistered: ['notifications'],
  OrderPlaced: ['inventory'],
  InventoryReserved: ['payments'],
  InventoryRejected: ['orders'],
  PaymentAuthorized: ['orders'],
  PaymentDeclined: ['orders', 'inventory'],
  OrderConfirmed: ['notifications'],
  OrderCancelled: ['notifications', 'inventory', 'payments'],
};

/** The BullMQ queue a domain consumes from. */
export function queueName(consumer: Consumer): string {
  return `events-${consumer}`;
}

/** A domain's worker process, as its logs, metrics and spans name it. */
export function workerName(consumer: Consumer): string {
  return `${consumer}-worker`;
}

/** The event types a domain's worker must handle: exactly those routed to it. */
export function eventsFor(consumer: Consumer): EventType[] {
  return (Object.keys(EVENT_ROUTES) as EventType[]).filter((type) => EVENT_ROUTES[type].includes(consumer));
}

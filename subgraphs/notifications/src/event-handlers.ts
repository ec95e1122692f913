import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventHandlers } from '@supergraph/events';
import { orderCancelled, orderConfirmed, welcome } from './messages.ts';
import type { NotificationTransport } from './notification-transport.ts';
import { createNotificationService, type NotifyInput } from './notification.service.ts';
import { createRecipientDirectory } from './recipient-directory.ts';

export interface NotificationHandlerDeps {
  transport: NotificationTransport;
}

/**
 * What the notifications worker does with each event routed to it. Every handler works on the
 * consumer's transaction, the one that records the event as processed: the recipient, the notification
 * and its SENT mark commit together with that record, or roll back with it and the event is retried.
 * A notification is keyed by its event's id and its user, so however often an event arrives, its user
 * hears of it once.
 */
export function createEventHandlers({ transport }: NotificationHandlerDeps): EventHandlers {
  const notify = (em: EntityManager, input: NotifyInput) =>
    createNotificationService(em, transport).notify(input);

  return {
    UserRegistered: async (event, em) => {
      const { userId, email, name } = event.data;
      await createRecipientDirectory(em).record({ userId, email, name, at: new Date(event.occurredAt) });
      await notify(em, { eventId: event.id, userId, email, kind: 'WELCOME', ...welcome({ name }) });
    },
    // Order events carry the user's id only; the directory has their address once their UserRegistered
    // has been handled. Until then the lookup throws and the event is retried with backoff.
    OrderConfirmed: async (event, em) => {
      const { orderId, userId, total } = event.data;
      const recipient = await createRecipientDirectory(em).require(userId);
      await notify(em, {
        eventId: event.id,
        userId,
        email: recipient.email,
        kind: 'ORDER_CONFIRMED',
        ...orderConfirmed({ orderId, total }),
      });
    },
    OrderCancelled: async (event, em) => {
      const { orderId, userId, reason } = event.data;
      const recipient = await createRecipientDirectory(em).require(userId);
      await notify(em, {
        eventId: event.id,
        userId,
        email: recipient.email,
        kind: 'ORDER_CANCELLED',
        ...orderCancelled({ orderId, reason }),
      });
    },
  };
}

import { badUserInput } from '@supergraph/errors';
import type { Identity } from '@supergraph/identity';
import { canSee, requireReader } from './authorization.ts';
import type { Loaders } from './loaders.ts';
import type { NotificationRecord } from './notification.entity.ts';

export const FEED_SIZE = { default: 20, min: 1, max: 100 } as const;

export type NotificationFeed = ReturnType<typeof createNotificationFeed>;

/** What a caller may read: their own notifications, or anyone's for an admin. No GraphQL here. */
export function createNotificationFeed(loaders: Loaders) {
  return {
    /** The user's newest notifications. Who asks is checked before what they ask. */
    recent(identity: Identity | null, userId: string, first?: number | null): Promise<NotificationRecord[]> {
      requireReader(identity, userId);
      const size = first ?? FEED_SIZE.default;
      if (!Number.isInteger(size) || size < FEED_SIZE.min || size > FEED_SIZE.max) {
        throw badUserInput(`first must be between ${FEED_SIZE.min} and ${FEED_SIZE.max}; got ${size}`, {
          fields: ['first'],
        });
      }
      return loaders.notificationsOf(userId, size);
    },

    /** The notification, or null when there is none or it is someone else's: its existence stays hidden. */
    async byId(identity: Identity | null, id: string): Promise<NotificationRecord | null> {
      if (!identity) return null;
      const notification = await loaders.notificationById(id);
      return notification && canSee(identity, notification.userId) ? notification : null;
    },
  };
}

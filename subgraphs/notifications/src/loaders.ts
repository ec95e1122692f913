import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { isUuid } from '@supergraph/db';
import { Notification, type NotificationRecord } from './notification.entity.ts';
import { recentNotifications } from './recent-notifications.ts';

export type Loaders = ReturnType<typeof createLoaders>;

interface FeedKey {
  userId: string;
  first: number;
}

/**
 * Per-request batching. The router resolves `notifications` for many User references in one
 * `_entities` request; each loader turns those N field resolutions into one statement. A malformed id
 * can match nothing, so it never reaches Postgres (whose uuid cast would fail the whole batch).
 */
export function createLoaders(em: EntityManager) {
  const byId = keyedLoader(
    (ids: readonly string[]) => em.find(Notification, { id: { $in: [...ids] } }),
    (notification) => notification.id,
  );
  // Keys in one batch may ask for different page sizes (aliases with other `first`): one statement
  // reads the largest and each key keeps its own share.
  const feed = new DataLoader<FeedKey, NotificationRecord[], string>(
    async (keys) => {
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const rows = await recentNotifications(em, userIds, Math.max(...keys.map((key) => key.first)));
      const byUser = Map.groupBy(rows, (row) => row.userId);
      return keys.map((key) => (byUser.get(key.userId) ?? []).slice(0, key.first));
    },
    { cacheKeyFn: (key) => `${key.userId}:${key.first}` },
  );
  return {
    notificationById: (id: string): Promise<NotificationRecord | null> =>
      isUuid(id) ? byId.load(id.toLowerCase()) : Promise.resolve(null),
    /** The user's newest `first` notifications, newest first. */
    notificationsOf: (userId: string, first: number): Promise<NotificationRecord[]> =>
      isUuid(userId) ? feed.load({ userId: userId.toLowerCase(), first }) : Promise.resolve([]),
  };
}

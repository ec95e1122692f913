import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { RequestContext } from '@supergraph/server-kit';
import { createLoaders, type Loaders } from './loaders.ts';
import { createNotificationFeed, type NotificationFeed } from './notification-feed.ts';

export interface Context extends RequestContext {
  em: EntityManager;
  loaders: Loaders;
  feed: NotificationFeed;
}

/** Each request gets its own EntityManager fork and its own DataLoaders: nothing leaks between callers. */
export function contextFactory(orm: Database) {
  return (base: RequestContext): Context => {
    const em = orm.em.fork();
    const loaders = createLoaders(em);
    return { ...base, em, loaders, feed: createNotificationFeed(loaders) };
  };
}

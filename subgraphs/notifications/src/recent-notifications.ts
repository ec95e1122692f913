import type { EntityManager } from '@mikro-orm/postgresql';
import { Notification, type NotificationRecord } from './notification.entity.ts';

/**
 * The newest `first` notifications of each of the given users, newest first, in ONE statement however
 * many users: a window function numbers each user's rows in feed order and keeps the first ones, read
 * from the (user_id, created_at desc, id desc) index. MikroORM's query builder has no window functions,
 * hence SQL; the table is named from the ORM's config and metadata, so it follows the deployment's schema.
 */
export async function recentNotifications(
  em: EntityManager,
  userIds: readonly string[],
  first: number,
): Promise<NotificationRecord[]> {
  if (userIds.length === 0) return [];
  const platform = em.getPlatform();
  const schema = em.config.get('schema');
  const tableName = platform.quoteIdentifier(em.getMetadata(Notification).tableName);
  const table = schema ? `${platform.quoteIdentifier(schema)}.${tableName}` : tableName;
  const rows = await em.execute(
    `select * from (
       select n.*, row_number() over (partition by n.user_id order by n.created_at desc, n.id desc) as position
       from ${table} n
       where n.user_id in (?)
     ) ranked
     where ranked.position <= ?
     order by ranked.user_id, ranked.position`,
    [userIds, first],
  );
  return rows.map((row) => em.map(Notification, row));
}

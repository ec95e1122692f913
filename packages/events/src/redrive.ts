import type { EntityManager } from '@mikro-orm/postgresql';
import { outboxChannel } from './outbox.ts';
import type { EventType } from './contracts.ts';

/** What a re-drive put back on the queues. */
export interface RedrivenEvent {
  id: string;
  type: EventType;
  redrives: number;
}

/**
 * The BullMQ job id of an event's publication: the event id the first time, then one of its own per
 * re-drive. A re-driven event must reach its consumers even when its first job is still kept as
 * completed (BullMQ ignores an add under an id it holds); the consumer's processed-event record keeps the
 * effect to once either way.
 */
export function jobIdOf(row: { id: string; redrives: number }): string {
  return row.redrives > 0 ? `${row.id}-redrive-${row.redrives}` : row.id;
}

/**
 * Ids as one Postgres array literal for `= any(?::uuid[])`: MikroORM spreads an array parameter into a
 * list of values. The cast refuses anything that is not a UUID, so nothing else can slip in.
 */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

export type RedriveTarget =
  /** These events, if the relay published them at least `minAgeMs` ago (not just now, by a re-drive). */
  | { ids: readonly string[]; minAgeMs: number }
  /** The events the handling of `causedBy` recorded. */
  | { causedBy: string };

/**
 * Puts published events back in line for the relay, on the caller's transaction: each is published
 * again, under a new job id, with its envelope as recorded, and tagged as a re-drive so that a consumer
 * that already handled it re-drives in turn what it recorded then (consumer.ts). That is how a saga that
 * stopped moving (a job lost with Redis's data, a dead letter since fixed) is pushed on from the state in
 * Postgres: each domain answers a re-driven event from what it decided before, until the event reaches
 * the domain where the saga stopped. An event not published yet is left alone: it is on its way.
 */
export async function redriveEvents(em: EntityManager, target: RedriveTarget): Promise<RedrivenEvent[]> {
  const schema = em.config.get('schema') ?? 'public';
  const [condition, values] =
    'causedBy' in target
      ? ['caused_by = ?', [target.causedBy]]
      : [
          `id = any(?::uuid[]) and published_at < now() - ? * interval '1 millisecond'`,
          [uuidArray(target.ids), target.minAgeMs],
        ];
  const rows = await em.execute<RedrivenEvent[]>(
    `update "${schema}"."outbox_event"
     set published_at = null, delivery_check_at = null, delivered_at = null, redrives = redrives + 1
     where ${condition} and published_at is not null
     returning id, type, redrives`,
    values,
  );
  // Wakes the relay at commit, as recording an event does.
  if (rows.length > 0) await em.execute('select pg_notify(?, ?)', [outboxChannel(schema), schema]);
  return rows;
}

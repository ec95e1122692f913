import type { EntityManager, EntityName } from '@mikro-orm/postgresql';

/**
 * An entity's table as this deployment names it, quoted for a statement: entities declare the wildcard
 * schema, and the schema comes from config, never from the code.
 */
export function tableOf(em: EntityManager, entity: EntityName): string {
  const schema = em.schema ?? em.config.get('schema');
  const table = em.getMetadata().get(entity).tableName;
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return schema ? `${quote(schema)}.${quote(table)}` : quote(table);
}

/** `?, ?, ?`: one placeholder per value, for `in (...)`; `em.execute` quotes each value as em.find does. */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** Reads a timestamptz column of a plain row. */
export type TimestampParser = (value: string | Date) => Date;

/**
 * The ORM's pg type parsers leave timestamps as Postgres's text in a plain row (it parses them itself
 * when it hydrates an entity); this parses them the same way, into the Date an entity would hold.
 */
export function timestampParser(em: EntityManager): TimestampParser {
  const platform = em.getPlatform();
  return (value) => (value instanceof Date ? value : platform.parseDate(value));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value is a UUID in its text form. Every subgraph keys rows by uuid, and Postgres rejects a
 * whole `id in (...)` batch over one malformed value, so a client's malformed id is answered (null,
 * NOT_FOUND, BAD_USER_INPUT) before it reaches SQL.
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

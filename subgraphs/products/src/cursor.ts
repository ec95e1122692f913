/**
 * A position in the catalog order (created_at, id). Clients treat it as opaque; it is base64url JSON so
 * it survives URLs and carries the exact key the next page continues after, not an offset that shifts
 * when products are added.
 */
export interface CatalogPosition {
  createdAt: Date;
  id: string;
}

const VERSION = 'p1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: CatalogPosition): string {
  return Buffer.from(JSON.stringify([VERSION, position.createdAt.toISOString(), position.id])).toString(
    'base64url',
  );
}

/** The position a cursor points at, or null when it is not one this subgraph issued. */
export function decodeCursor(cursor: string): CatalogPosition | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return null;
  const [version, at, id] = parsed as unknown[];
  if (version !== VERSION || typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id)) return null;
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) return null;
  return { createdAt, id };
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

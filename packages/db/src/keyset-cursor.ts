import { isUuid } from './ids.ts';

/** A row's place in a (created_at, id) order: both keys never change, so a page boundary stays put. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export interface KeysetCursor {
  encode: (position: KeysetPosition) => string;
  /** The position a cursor points at, or null when it is not one this connection issued. */
  decode: (cursor: string) => KeysetPosition | null;
}

/**
 * Opaque cursors for keyset pagination over (created_at, id). A cursor is base64url JSON, so it survives
 * URLs and carries the exact key the next page continues after rather than an offset that shifts when
 * rows are added. `version` names the connection (`p1` for the catalog, `o1` for orders), so a cursor
 * from one connection is refused by another.
 */
export function keysetCursor(version: string): KeysetCursor {
  return {
    encode: (position) =>
      Buffer.from(JSON.stringify([version, position.createdAt.toISOString(), position.id])).toString(
        'base64url',
      ),
    decode: (cursor) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
      if (!Array.isArray(parsed) || parsed.length !== 3) return null;
      const [tag, at, id] = parsed as unknown[];
      if (tag !== version || typeof at !== 'string' || !isUuid(id)) return null;
      const createdAt = new Date(at);
      if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) return null;
      return { createdAt, id: id.toLowerCase() };
    },
  };
}

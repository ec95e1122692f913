import { keysetCursor } from '@supergraph/db';

/** Cursors of the catalog connection, in catalog order (created_at, then id). */
export const { encode: encodeCursor, decode: decodeCursor } = keysetCursor('p1');

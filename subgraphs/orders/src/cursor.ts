import { keysetCursor, type KeysetPosition } from '@supergraph/db';

/** A position in a customer's order history, newest first: (created_at, id). */
export type OrderPosition = KeysetPosition;

/** Cursors of `User.orders`; `o1` so that a catalog cursor is refused here. */
export const { encode: encodeCursor, decode: decodeCursor } = keysetCursor('o1');

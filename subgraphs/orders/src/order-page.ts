import type { EntityManager } from '@mikro-orm/postgresql';
import { tableOf, timestampParser } from '@supergraph/db';
import { badUserInput } from '@supergraph/errors';
import { decodeCursor, encodeCursor, type OrderPosition } from './cursor.ts';
import { orderFromRow, type OrderRow } from './order-rows.ts';
import { Order, type OrderRecord } from './order.entity.ts';

export const PAGE_SIZE = { default: 20, min: 1, max: 100 } as const;

/** One page of one customer's orders, as a DataLoader key: several users' pages load together. */
export interface OrderPageKey {
  userId: string;
  first: number;
  after: OrderPosition | null;
}

/** The shape of OrderConnection, with the total counted only if the client selects it. */
export interface OrderPage {
  edges: Array<{ cursor: string; node: OrderRecord }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  countTotal: () => Promise<number>;
}

/** Checks `first` and `after` as the client sent them. */
export function pageKey(userId: string, first: number | null | undefined, after: string | null | undefined) {
  const size = first ?? PAGE_SIZE.default;
  if (!Number.isInteger(size) || size < PAGE_SIZE.min || size > PAGE_SIZE.max) {
    throw badUserInput(`first must be between ${PAGE_SIZE.min} and ${PAGE_SIZE.max}; got ${size}`, {
      fields: ['first'],
    });
  }
  let position: OrderPosition | null = null;
  if (after != null) {
    position = decodeCursor(after);
    if (!position) {
      throw badUserInput('after is not a cursor of this connection; pass the endCursor of a previous page', {
        fields: ['after'],
      });
    }
  }
  return { userId: userId.toLowerCase(), first: size, after: position } satisfies OrderPageKey;
}

export function pageKeyId(key: OrderPageKey): string {
  return [key.userId, key.first, key.after ? encodeCursor(key.after) : ''].join('|');
}

/**
 * Where a first page starts: after every real position. A bound rather than an `after is null or ...`
 * keeps the row comparison an index condition, so a deep page starts at its cursor instead of
 * filtering every newer order.
 */
const FIRST_PAGE_BOUND =
  "coalesce(k.after_at, 'infinity'), coalesce(k.after_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff')";

/**
 * The newest `first + 1` orders after each key's cursor (the extra row tells whether another page
 * follows), for every key in ONE statement however many users a request names. A lateral join takes
 * each key's rows from the (user_id, created_at desc, id desc) index and stops after first + 1 of them;
 * a row_number() window over each user's orders would read all of them to rank them first.
 */
export async function fetchOrderPages(
  em: EntityManager,
  keys: readonly OrderPageKey[],
): Promise<OrderRecord[][]> {
  const params: unknown[] = [];
  const values = keys.map((key, slot) => {
    params.push(slot, key.userId, key.first + 1, key.after?.createdAt ?? null, key.after?.id ?? null);
    return '(?::int, ?::uuid, ?::int, ?::timestamptz, ?::uuid)';
  });
  const rows = await em.execute<Array<OrderRow & { page_slot: number }>>(
    `select k.slot as page_slot, o.*
       from (values ${values.join(', ')}) as k (slot, user_id, row_limit, after_at, after_id)
       cross join lateral (
         select * from ${tableOf(em, Order)} as c
          where c.user_id = k.user_id
            and (c.created_at, c.id) < (${FIRST_PAGE_BOUND})
          order by c.created_at desc, c.id desc
          limit k.row_limit
       ) as o
      order by k.slot, o.created_at desc, o.id desc`,
    params,
  );
  // Plain rows (order-rows.ts): a page is read, never written.
  const timestamp = timestampParser(em);
  const pages: OrderRecord[][] = keys.map(() => []);
  for (const row of rows) pages[row.page_slot]?.push(orderFromRow(row, timestamp));
  return pages;
}

/** Turns the first + 1 rows of a key into the connection a client sees. */
export function toPage(key: OrderPageKey, rows: readonly OrderRecord[], countTotal: () => Promise<number>) {
  const nodes = rows.slice(0, key.first);
  const last = nodes.at(-1);
  // Cursors are encoded only when a client selects them: the order history screen reads none.
  return {
    edges: nodes.map((node) => ({
      node,
      get cursor() {
        return encodeCursor(node);
      },
    })),
    pageInfo: {
      hasNextPage: rows.length > key.first,
      get endCursor() {
        return last ? encodeCursor(last) : null;
      },
    },
    countTotal,
  } satisfies OrderPage;
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput } from '@supergraph/errors';
import { decodeCursor, encodeCursor, type OrderPosition } from './cursor.ts';
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

/** The table as this deployment names it: the schema comes from config, never from the code. */
function orderTable(em: EntityManager): string {
  const schema = em.schema ?? em.config.get('schema');
  const table = em.getMetadata().get(Order).tableName;
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  return schema ? `${quote(schema)}.${quote(table)}` : quote(table);
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
  const rows = await em.execute<Array<Record<string, unknown>>>(
    `select k.slot as page_slot, o.*
       from (values ${values.join(', ')}) as k (slot, user_id, row_limit, after_at, after_id)
       cross join lateral (
         select * from ${orderTable(em)} as c
          where c.user_id = k.user_id
            and (c.created_at, c.id) < (${FIRST_PAGE_BOUND})
          order by c.created_at desc, c.id desc
          limit k.row_limit
       ) as o
      order by k.slot, o.created_at desc, o.id desc`,
    params,
  );
  const pages: OrderRecord[][] = keys.map(() => []);
  for (const { page_slot: slot, ...row } of rows) {
    pages[slot as number]?.push(em.map(Order, row));
  }
  return pages;
}

/** Turns the first + 1 rows of a key into the connection a client sees. */
export function toPage(key: OrderPageKey, rows: readonly OrderRecord[], countTotal: () => Promise<number>) {
  const nodes = rows.slice(0, key.first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > key.first, endCursor: edges.at(-1)?.cursor ?? null },
    countTotal,
  } satisfies OrderPage;
}

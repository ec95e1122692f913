import type { EntityManager } from '@mikro-orm/postgresql';
import { tableOf, timestampParser } from '@supergraph/db';
import { badUserInput } from '@supergraph/errors';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { productFromRow, type ProductRow } from './product-rows.ts';
import { Product, type ProductRecord } from './product.entity.ts';

export const PAGE_SIZE = { default: 20, min: 1, max: 100 } as const;
const SEARCH_MAX = 100;

export interface ProductPageRequest {
  first?: number | null;
  after?: string | null;
  search?: string | null;
}

/** One page of the catalog: the shape of ProductConnection, with the total counted on demand. */
export interface ProductPage {
  edges: Array<{ cursor: string; node: ProductRecord }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Runs only if the client selects totalCount: a count over the whole match costs more than a page. */
  countTotal: () => Promise<number>;
}

/** `%` and `_` in a search are the characters themselves, not wildcards (`\` is ILIKE's escape). */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** The search's condition and its values; none for an empty search. */
function searchFilter(search: string | null | undefined): { sql: string; params: string[] } | null {
  const term = search?.trim() ?? '';
  if (term.length === 0) return null;
  if (term.length > SEARCH_MAX) {
    throw badUserInput(`search must be at most ${SEARCH_MAX} characters`, { fields: ['search'] });
  }
  const pattern = containsPattern(term);
  return { sql: '(name ilike ? or sku ilike ? or description ilike ?)', params: [pattern, pattern, pattern] };
}

/**
 * Keyset pagination in catalog order (created_at, then id): both keys never change, so a page boundary
 * stays put while products are renamed or repriced, and the query reads one index range however deep
 * the page. One statement for the page (it fetches one row more to learn whether another page
 * follows) and, if asked, one for the count.
 */
export async function listProducts(em: EntityManager, request: ProductPageRequest): Promise<ProductPage> {
  const first = request.first ?? PAGE_SIZE.default;
  if (!Number.isInteger(first) || first < PAGE_SIZE.min || first > PAGE_SIZE.max) {
    throw badUserInput(`first must be between ${PAGE_SIZE.min} and ${PAGE_SIZE.max}; got ${first}`, {
      fields: ['first'],
    });
  }
  const matching = searchFilter(request.search);
  const conditions = matching ? [matching.sql] : [];
  const params: unknown[] = matching ? [...matching.params] : [];
  if (request.after != null) {
    const position = decodeCursor(request.after);
    if (!position) {
      throw badUserInput('after is not a cursor of this connection; pass the endCursor of a previous page', {
        fields: ['after'],
      });
    }
    conditions.push('(created_at > ? or (created_at = ? and id > ?))');
    params.push(position.createdAt, position.createdAt, position.id);
  }

  // Plain rows (product-rows.ts): a page is read, never written.
  const table = tableOf(em, Product);
  const where = (parts: string[]) => (parts.length > 0 ? ` where ${parts.join(' and ')}` : '');
  const rows = await em.execute<ProductRow[]>(
    `select * from ${table}${where(conditions)} order by created_at asc, id asc limit ?`,
    [...params, first + 1],
  );
  const timestamp = timestampParser(em);
  const nodes = rows.slice(0, first).map((row) => productFromRow(row, timestamp));
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    countTotal: async () => {
      const [row] = await em.execute<Array<{ count: number }>>(
        `select count(*)::int as count from ${table}${where(matching ? [matching.sql] : [])}`,
        matching?.params ?? [],
      );
      return row?.count ?? 0;
    },
  };
}

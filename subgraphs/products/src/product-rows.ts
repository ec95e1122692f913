import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders, tableOf, timestampParser, type TimestampParser } from '@supergraph/db';
import { Product, type ProductRecord } from './product.entity.ts';

/**
 * The catalog's read paths (references, lookups, pages) read plain rows, not entities: they only hand
 * what they read to GraphQL, and hydrating entities into the request's identity map cost them more CPU
 * than the statement itself (issue 15, docs/benchmarks.md). What they return is detached: a write loads
 * its own entity (product.service.ts).
 */
export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price_amount: number;
  price_currency: string;
  weight_grams: number;
  created_at: string;
  updated_at: string;
}

export function productFromRow(row: ProductRow, timestamp: TimestampParser): ProductRecord {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: { amount: row.price_amount, currency: row.price_currency },
    weightGrams: row.weight_grams,
    createdAt: timestamp(row.created_at),
    updatedAt: timestamp(row.updated_at),
  };
}

/** Products whose id (or SKU) is one of `keys`, in no particular order: one statement for the batch. */
export async function readProducts(
  em: EntityManager,
  key: 'id' | 'sku',
  keys: readonly string[],
): Promise<ProductRecord[]> {
  const rows = await em.execute<ProductRow[]>(
    `select * from ${tableOf(em, Product)} where ${key} in (${placeholders(keys)})`,
    [...keys],
  );
  const timestamp = timestampParser(em);
  return rows.map((row) => productFromRow(row, timestamp));
}

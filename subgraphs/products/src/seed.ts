import type { EntityManager } from '@mikro-orm/postgresql';
import { Product } from './product.entity.ts';
import { SEED_PRODUCTS } from './seed-catalog.ts';

export { SEED_PRODUCT_IDS, SEED_PRODUCTS } from './seed-catalog.ts';

/**
 * Inserts the demo products that are missing and returns how many it inserted. It only ever inserts:
 * a seed run on every start must not undo what an admin changed since (a price, a description). One
 * `insert ... on conflict do nothing` statement, so replicas seeding at once cannot collide on either
 * unique key, and a product whose id or sku is already taken is left as it is.
 */
export async function seedProducts(em: EntityManager): Promise<number> {
  const now = new Date();
  const rows = SEED_PRODUCTS.map((product) => ({ ...product, createdAt: now, updatedAt: now }));
  const result = await em.createQueryBuilder(Product).insert(rows).onConflict().ignore().execute('run');
  return result.affectedRows;
}

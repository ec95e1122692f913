import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { openDatabase, type Database } from '@supergraph/db';
import { createTestSchema, type TestSchema } from '@supergraph/testing';
import { entities } from '../src/entities.ts';
import { Product } from '../src/product.entity.ts';
import { SEED_PRODUCT_IDS, SEED_PRODUCTS, seedProducts } from '../src/seed.ts';

let schema: TestSchema;
let orm: Database;

beforeAll(async () => {
  schema = await createTestSchema('products');
  orm = await openDatabase({
    clientUrl: schema.clientUrl,
    schema: schema.name,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
  });
});

afterAll(async () => {
  await orm?.close();
  await schema?.drop();
});

describe('the demo catalog', () => {
  it('is a shop-sized catalog with fixed ids, a valid SKU each and one product above the payment limit', () => {
    expect(SEED_PRODUCTS.length).toBeGreaterThanOrEqual(24);
    expect(new Set(SEED_PRODUCTS.map((product) => product.id)).size).toBe(SEED_PRODUCTS.length);
    expect(new Set(SEED_PRODUCTS.map((product) => product.sku)).size).toBe(SEED_PRODUCTS.length);
    expect(Object.values(SEED_PRODUCT_IDS).sort()).toEqual(SEED_PRODUCTS.map((product) => product.id).sort());
    expect(SEED_PRODUCTS.filter((product) => product.price.amount > 100_000).length).toBeGreaterThanOrEqual(
      1,
    );
    expect(SEED_PRODUCTS.filter((product) => product.price.amount < 100_000).length).toBeGreaterThan(20);
  });

  it('inserts every product once; seeding again inserts nothing and keeps what an admin changed', async () => {
    expect(await seedProducts(orm.em.fork())).toBe(SEED_PRODUCTS.length);

    const em = orm.em.fork();
    const mug = await em.findOneOrFail(Product, { id: SEED_PRODUCT_IDS.stonewareMug });
    mug.price = { amount: 999, currency: 'EUR' };
    await em.flush();

    expect(await seedProducts(orm.em.fork())).toBe(0);
    const after = orm.em.fork();
    expect(await after.count(Product)).toBe(SEED_PRODUCTS.length);
    const reread = await after.findOneOrFail(Product, { id: SEED_PRODUCT_IDS.stonewareMug });
    expect(reread.price).toEqual({ amount: 999, currency: 'EUR' });
  });

  it('does not fail when an admin took a seeded product to another sku', async () => {
    const em = orm.em.fork();
    const pen = await em.findOneOrFail(Product, { id: SEED_PRODUCT_IDS.fountainPen });
    pen.sku = 'PEN-FTN-STEEL-F';
    await em.flush();
    await expect(seedProducts(orm.em.fork())).resolves.toBe(0);
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { SEED_PRODUCT_IDS } from '@supergraph/products';
import { SEED_ORDER_ID, SEED_RESERVATION_LINES, SEED_STOCK, seedStock } from '../src/seed.ts';
import { findReservedMismatches } from '../src/stock-audit.ts';
import { createStockService } from '../src/stock.service.ts';
import {
  ADMIN,
  openTestDatabase,
  reservationOf,
  startInventory,
  stockOf,
  type TestDatabase,
} from './inventory-fixture.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});

afterAll(async () => {
  await db?.stop();
});

describe('the demo stock', () => {
  it('has a row for every product of the demo catalog, each with units to sell, a couple of them low', () => {
    expect(SEED_STOCK.map((row) => row.productId).sort()).toEqual(Object.values(SEED_PRODUCT_IDS).sort());
    expect(SEED_STOCK.every((row) => row.available > 0)).toBe(true);
    const espresso = SEED_STOCK.find((row) => row.productId === SEED_PRODUCT_IDS.espressoMachine)!;
    expect(espresso.available).toBeLessThanOrEqual(3);
    expect(SEED_STOCK.filter((row) => row.available <= 3).length).toBeGreaterThanOrEqual(2);
  });

  it("holds the seeded order's units: 2 stoneware mugs and 1 bag of Ethiopian beans", () => {
    expect(SEED_ORDER_ID).toBe('00000000-0000-4000-8004-000000000001');
    expect(SEED_RESERVATION_LINES).toEqual([
      { productId: SEED_PRODUCT_IDS.stonewareMug, quantity: 2 },
      { productId: SEED_PRODUCT_IDS.ethiopiaBeans, quantity: 1 },
    ]);
  });

  it('inserts every row once, with the reservation accounted for in reserved', async () => {
    expect(await seedStock(db.orm.em.fork())).toBe(SEED_STOCK.length + 1 + SEED_RESERVATION_LINES.length);

    for (const row of SEED_STOCK) {
      expect({ id: row.productId, ...(await stockOf(db.orm, row.productId)) }).toEqual({
        id: row.productId,
        available: row.available,
        reserved: row.reserved,
      });
    }
    expect(await reservationOf(db.orm, SEED_ORDER_ID)).toEqual({
      status: 'RESERVED',
      shortages: null,
      lines: [...SEED_RESERVATION_LINES],
    });
    expect(await findReservedMismatches(db.orm.em.fork())).toEqual([]);
  });

  it('inserts nothing the second time and keeps what changed since', async () => {
    const mug = SEED_PRODUCT_IDS.stonewareMug;
    const before = (await stockOf(db.orm, mug))!;
    await createStockService(db.orm.em.fork()).restock(ADMIN, mug, 10);

    expect(await seedStock(db.orm.em.fork())).toBe(0);
    expect(await stockOf(db.orm, mug)).toEqual({ available: before.available + 10, reserved: 2 });
  });

  it("releases the seeded order's units like any other reservation", async () => {
    const service = createStockService(db.orm.em.fork());
    const beans = (await stockOf(db.orm, SEED_PRODUCT_IDS.ethiopiaBeans))!;
    expect(await service.release(SEED_ORDER_ID)).toEqual({ released: true });
    expect(await stockOf(db.orm, SEED_PRODUCT_IDS.ethiopiaBeans)).toEqual({
      available: beans.available + 1,
      reserved: 0,
    });
    expect(await seedStock(db.orm.em.fork())).toBe(0);
    expect((await reservationOf(db.orm, SEED_ORDER_ID))!.status).toBe('RELEASED');
  });
});

describe('the subgraph started with SEED_ON_START', () => {
  it('serves the demo stock', async () => {
    const subgraph = await startInventory({ seed: true });
    try {
      const result = await subgraph.entities<{ stock: number; inStock: boolean }>(
        [SEED_PRODUCT_IDS.espressoMachine, SEED_PRODUCT_IDS.stonewareMug].map((id) => ({
          __typename: 'Product',
          id,
        })),
        '... on Product { stock inStock }',
      );
      expect(result.data!._entities).toEqual([
        { stock: 3, inStock: true },
        { stock: 118, inStock: true },
      ]);
    } finally {
      await subgraph.stop();
    }
  });
});

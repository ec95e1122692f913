import type { EntityManager } from '@mikro-orm/postgresql';
import { Reservation, ReservationLine } from './reservation.entity.ts';
import { StockLevel } from './stock-level.entity.ts';

// The catalog's fixed ids (products' seed-catalog.ts) by their last digits: copied, not imported, as
// each subgraph ships alone.
const product = (n: number) => `00000000-0000-4000-8002-${String(n).padStart(12, '0')}`;

/** The past order the orders subgraph seeds (CONFIRMED, paid): its stock stays reserved for it. */
export const SEED_ORDER_ID = '00000000-0000-4000-8004-000000000001';
export const SEED_RESERVATION_LINES = [
  { productId: product(1), quantity: 2 }, // MUG-STONE-350
  { productId: product(5), quantity: 1 }, // COF-ETH-250
] as const;

/**
 * A stock row for every product of the demo catalog. `reserved` holds exactly the seeded order's
 * units; a couple of products run low (the espresso machine, the live plant) so that running out can
 * be shown with a small order.
 */
export const SEED_STOCK: ReadonlyArray<{ productId: string; available: number; reserved: number }> = [
  { productId: product(1), available: 118, reserved: 2 }, // MUG-STONE-350
  { productId: product(2), available: 64, reserved: 0 }, // MUG-ENAMEL-300
  { productId: product(3), available: 35, reserved: 0 }, // KTL-GOOSE-1L
  { productId: product(4), available: 22, reserved: 0 }, // GRD-BURR-MAN
  { productId: product(5), available: 79, reserved: 1 }, // COF-ETH-250
  { productId: product(6), available: 40, reserved: 0 }, // COF-COL-1KG
  { productId: product(7), available: 150, reserved: 0 }, // TEA-SENCHA-100
  { productId: product(8), available: 30, reserved: 0 }, // PRS-FRENCH-800
  { productId: product(9), available: 3, reserved: 0 }, // ESP-DUAL-BOILER
  { productId: product(10), available: 95, reserved: 0 }, // BTL-STEEL-750
  { productId: product(11), available: 45, reserved: 0 }, // LBX-BAMBOO-2
  { productId: product(12), available: 18, reserved: 0 }, // PAN-CAST-26
  { productId: product(13), available: 25, reserved: 0 }, // KNF-CHEF-20
  { productId: product(14), available: 20, reserved: 0 }, // BRD-OAK-40
  { productId: product(15), available: 60, reserved: 0 }, // TWL-LINEN-2
  { productId: product(16), available: 48, reserved: 0 }, // CND-SOY-CEDAR
  { productId: product(17), available: 9, reserved: 0 }, // BLK-MERINO-130
  { productId: product(18), available: 15, reserved: 0 }, // LMP-DESK-LED
  { productId: product(19), available: 200, reserved: 0 }, // NTB-DOT-A5
  { productId: product(20), available: 12, reserved: 0 }, // PEN-FTN-STEEL
  { productId: product(21), available: 55, reserved: 0 }, // BAG-TOTE-CANVAS
  { productId: product(22), available: 28, reserved: 0 }, // PCK-DAY-24L
  { productId: product(23), available: 14, reserved: 0 }, // HDP-ANC-OVER
  { productId: product(24), available: 33, reserved: 0 }, // SPK-BT-MINI
  { productId: product(25), available: 70, reserved: 0 }, // CHR-USB-C-65W
  { productId: product(26), available: 2, reserved: 0 }, // PLT-MONSTERA-17
];

/**
 * Inserts the demo stock and the seeded order's reservation where missing and returns how many rows it
 * inserted. It only ever inserts (`on conflict do nothing`): a seed run on every start must not undo a
 * restock or a sale since. One transaction, so the reservation and the `reserved` units it accounts for
 * appear together, and replicas seeding at once wait for each other instead of colliding.
 */
export async function seedStock(em: EntityManager): Promise<number> {
  return em.transactional(async (tx) => {
    const now = new Date();
    const stock = await tx
      .createQueryBuilder(StockLevel)
      .insert(SEED_STOCK.map((row) => ({ ...row, updatedAt: now })))
      .onConflict()
      .ignore()
      .execute('run');
    const reservation = await tx
      .createQueryBuilder(Reservation)
      .insert({ orderId: SEED_ORDER_ID, status: 'RESERVED', createdAt: now, updatedAt: now })
      .onConflict()
      .ignore()
      .execute('run');
    const lines = await tx
      .createQueryBuilder(ReservationLine)
      .insert(SEED_RESERVATION_LINES.map((line) => ({ ...line, reservation: SEED_ORDER_ID })))
      .onConflict()
      .ignore()
      .execute('run');
    return stock.affectedRows + reservation.affectedRows + lines.affectedRows;
  });
}

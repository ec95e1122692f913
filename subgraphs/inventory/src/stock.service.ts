import { raw, TransactionPropagation, type EntityManager } from '@mikro-orm/postgresql';
import type { Identity } from '@supergraph/identity';
import { requireAdmin } from './authorization.ts';
import { Reservation, ReservationLine, type Shortage } from './reservation.entity.ts';
import { StockLevel } from './stock-level.entity.ts';
import { validateItems, validateOrderId, validateRestock, type ReserveItem } from './stock-input.ts';

export type StockService = ReturnType<typeof createStockService>;

/** A product's counters as a write left them. */
export interface StockCount {
  productId: string;
  available: number;
  reserved: number;
}

/**
 * What `reserve` decided for an order. `replayed` is true when the order's outcome was recorded before
 * (a redelivered event, a concurrent second attempt): nothing changed this time, and whoever announces
 * outcomes has announced this one already. RELEASED: the order's units were reserved and have been given
 * back since, or the order was cancelled before its reservation arrived; nothing is held for it.
 */
export type ReserveOutcome =
  | { status: 'RESERVED'; replayed: boolean }
  | { status: 'REJECTED'; shortages: Shortage[]; replayed: boolean }
  | { status: 'RELEASED'; replayed: true };

export interface ReleaseOutcome {
  /** True only for the one call that gave the order's units back. */
  released: boolean;
}

/** Thrown inside the savepoint to undo the lines already taken; never leaves this module. */
class OutOfStock extends Error {
  readonly fromLine: number;
  constructor(fromLine: number) {
    super('out of stock');
    this.fromLine = fromLine;
  }
}

/**
 * Takes a line's units if, and only if, enough are available. The condition is evaluated under the
 * row lock (Postgres re-checks it against the latest version when another transaction got there
 * first), so concurrent orders can never take the same unit or drive `available` below zero.
 */
async function takeUnits(em: EntityManager, line: ReserveItem): Promise<boolean> {
  const result = await em
    .createQueryBuilder(StockLevel)
    .update({
      available: raw('available - ?', [line.quantity]),
      reserved: raw('reserved + ?', [line.quantity]),
      updatedAt: new Date(),
    })
    .where({ productId: line.productId, available: { $gte: line.quantity } })
    .execute('run');
  return result.affectedRows === 1;
}

/**
 * The shortfall from the first line that could not be taken on, as the rows read now. The line that
 * failed is always reported, even if a restock landed in the meantime: it is why the order is refused.
 */
async function findShortages(em: EntityManager, lines: ReserveItem[]): Promise<Shortage[]> {
  const rows: Array<{ productId: string; available: number }> = await em
    .createQueryBuilder(StockLevel)
    .select(['productId', 'available'])
    .where({ productId: { $in: lines.map((line) => line.productId) } })
    .execute('all');
  const available = new Map(rows.map((row) => [row.productId, row.available]));
  return lines
    .map((line) => ({
      productId: line.productId,
      requested: line.quantity,
      available: available.get(line.productId) ?? 0,
    }))
    .filter((shortage, index) => index === 0 || shortage.available < shortage.requested);
}

async function recordedOutcome(em: EntityManager, orderId: string): Promise<ReserveOutcome> {
  const row: { status: string; shortages: Shortage[] | null } = await em
    .createQueryBuilder(Reservation)
    .select(['status', 'shortages'])
    .where({ orderId })
    .execute('get');
  if (row.status === 'REJECTED')
    return { status: 'REJECTED', shortages: row.shortages ?? [], replayed: true };
  if (row.status === 'RELEASED') return { status: 'RELEASED', replayed: true };
  return { status: 'RESERVED', replayed: true };
}

async function insertLines(em: EntityManager, orderId: string, lines: ReserveItem[]): Promise<void> {
  await em
    .createQueryBuilder(ReservationLine)
    .insert(
      lines.map((line) => ({ reservation: orderId, productId: line.productId, quantity: line.quantity })),
    )
    .execute('run');
}

/** Reserve and release run in the caller's transaction if there is one (see createStockService). */
const JOIN_CALLERS = { propagation: TransactionPropagation.REQUIRED };

/** Moves the reservation from RESERVED to RELEASED; the row lock lets exactly one caller do it. */
async function markReleased(em: EntityManager, orderId: string): Promise<boolean> {
  const result = await em
    .createQueryBuilder(Reservation)
    .update({ status: 'RELEASED', updatedAt: new Date() })
    .where({ orderId, status: 'RESERVED' })
    .execute('run');
  return result.affectedRows === 1;
}

/**
 * The warehouse's rules: restocking adds units, reserving holds them for an order all or nothing,
 * releasing gives them back once. Reserve and release may run inside a caller's transaction (a queue
 * consumer writing its outbox event with the outcome) and then join it, as orders' and payments' services
 * do: their failure fails the caller's transaction whole (the consumer rolls back and retries), so a
 * savepoint of their own would only cost two statements per event.
 */
export function createStockService(em: EntityManager) {
  return {
    /** Adds units in one upsert: concurrent deliveries of the same product all count. */
    async restock(identity: Identity | null, productId: string, quantity: number): Promise<StockCount> {
      requireAdmin(identity);
      const input = validateRestock(productId, quantity);
      const now = new Date();
      const row: { available: number; reserved: number } = await em
        .createQueryBuilder(StockLevel)
        .insert({ productId: input.productId, available: input.quantity, reserved: 0, updatedAt: now })
        .onConflict('productId')
        .merge({
          available: raw('stock_level.available + excluded.available'),
          updatedAt: raw('excluded.updated_at'),
        })
        .returning(['available', 'reserved'])
        .execute('get');
      return { productId: input.productId, available: row.available, reserved: row.reserved };
    },

    /**
     * Holds every item's units for the order, or none. The reservation row is claimed first: a second
     * attempt for the same order waits on it, then answers what the first one recorded. Lines are taken
     * in product-id order, so overlapping orders queue instead of deadlocking; a product never stocked
     * is a shortage like any other.
     */
    async reserve(orderId: string, items: readonly ReserveItem[]): Promise<ReserveOutcome> {
      const order = validateOrderId(orderId);
      const lines = validateItems(items);
      return em.transactional(async (tx) => {
        const now = new Date();
        const claimed = await tx
          .createQueryBuilder(Reservation)
          .insert({ orderId: order, status: 'RESERVED', createdAt: now, updatedAt: now })
          .onConflict()
          .ignore()
          .execute('run');
        if (claimed.affectedRows === 0) return recordedOutcome(tx, order);

        try {
          await tx.transactional(async (savepoint) => {
            for (const [index, line] of lines.entries()) {
              if (!(await takeUnits(savepoint, line))) throw new OutOfStock(index);
            }
          });
        } catch (error) {
          if (!(error instanceof OutOfStock)) throw error;
          const shortages = await findShortages(tx, lines.slice(error.fromLine));
          await tx
            .createQueryBuilder(Reservation)
            .update({ status: 'REJECTED', shortages, updatedAt: now })
            .where({ orderId: order })
            .execute('run');
          await insertLines(tx, order, lines);
          return { status: 'REJECTED', shortages, replayed: false };
        }
        await insertLines(tx, order, lines);
        return { status: 'RESERVED', replayed: false };
      }, JOIN_CALLERS);
    },

    /**
     * Gives a RESERVED order's units back, once. An order with no reservation yet is recorded as
     * RELEASED, so that its reservation, if it arrives late (the order was cancelled while its
     * OrderPlaced event waited for a retry), holds nothing.
     */
    async release(orderId: string): Promise<ReleaseOutcome> {
      const order = validateOrderId(orderId);
      return em.transactional(async (tx) => {
        if (!(await markReleased(tx, order))) {
          const now = new Date();
          const tombstone = await tx
            .createQueryBuilder(Reservation)
            .insert({ orderId: order, status: 'RELEASED', createdAt: now, updatedAt: now })
            .onConflict()
            .ignore()
            .execute('run');
          // A reservation committed between the two statements is released now; any other is final.
          if (tombstone.affectedRows === 1 || !(await markReleased(tx, order))) return { released: false };
        }
        const lines: ReserveItem[] = await tx
          .createQueryBuilder(ReservationLine)
          .select(['productId', 'quantity'])
          .where({ reservation: order })
          .orderBy({ productId: 'asc' })
          .execute('all');
        for (const line of lines) {
          await tx
            .createQueryBuilder(StockLevel)
            .update({
              available: raw('available + ?', [line.quantity]),
              reserved: raw('reserved - ?', [line.quantity]),
              updatedAt: new Date(),
            })
            .where({ productId: line.productId })
            .execute('run');
        }
        return { released: true };
      }, JOIN_CALLERS);
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import { OutboxEvent } from '@supergraph/events';
import type { Identity } from '@supergraph/identity';
import { createTestSchema, startTestSubgraph, type TestSchema, type TestSubgraph } from '@supergraph/testing';
import { startInventorySubgraph } from '../src/app.ts';
import { openInventoryDatabase } from '../src/database.ts';
import { loadEnv } from '../src/env.ts';
import { Reservation, ReservationLine } from '../src/reservation.entity.ts';
import { StockLevel } from '../src/stock-level.entity.ts';
import { createStockService } from '../src/stock.service.ts';

export const ADMIN: Identity = { userId: '00000000-0000-4000-8000-000000000001', role: 'ADMIN' };
export const CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-000000000002', role: 'CUSTOMER' };

/** The inventory subgraph in a fresh schema, with the demo stock loaded when `seed` is set. */
export function startInventory(options: { seed: boolean }): Promise<TestSubgraph> {
  return startTestSubgraph('inventory', (env, hooks) =>
    startInventorySubgraph(loadEnv({ ...env, SEED_ON_START: String(options.seed) }), hooks),
  );
}

/** Every event in a running subgraph's outbox. */
export async function outboxOfSubgraph(subgraph: TestSubgraph) {
  const orm = await openInventoryDatabase({
    clientUrl: subgraph.schema.clientUrl,
    schema: subgraph.schema.name,
  });
  try {
    return await orm.em.fork().find(OutboxEvent, {});
  } finally {
    await orm.close();
  }
}

export interface TestDatabase {
  orm: Database;
  schema: TestSchema;
  stop: () => Promise<void>;
}

/**
 * The inventory schema opened the way a queue consumer opens it, for calling the stock service
 * directly. The pool is large enough for every concurrent transaction a test starts to hold its own
 * connection at once, so they really do race.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const schema = await createTestSchema('inventory');
  try {
    const orm = await openInventoryDatabase({
      clientUrl: schema.clientUrl,
      schema: schema.name,
      poolMax: 30,
    });
    return {
      orm,
      schema,
      stop: async () => {
        await orm.close();
        await schema.drop();
      },
    };
  } catch (error) {
    await schema.drop();
    throw error;
  }
}

/** Fresh product ids, sorted: the order reserve takes stock rows in, so a test can name the first. */
export function productIds(count: number): string[] {
  return Array.from({ length: count }, () => randomUUID()).sort();
}

export const orderId = (): string => randomUUID();

/** Stocks products as an admin would, through the service. */
export async function stockUp(orm: Database, levels: Record<string, number>): Promise<void> {
  for (const [productId, quantity] of Object.entries(levels)) {
    await createStockService(orm.em.fork()).restock(ADMIN, productId, quantity);
  }
}

/** A product's counters as committed (null when it has no stock row). */
export async function stockOf(
  orm: Database,
  productId: string,
): Promise<{ available: number; reserved: number } | null> {
  const row = await orm.em.fork().findOne(StockLevel, { productId });
  return row && { available: row.available, reserved: row.reserved };
}

export async function reservationOf(orm: Database, order: string) {
  const em: EntityManager = orm.em.fork();
  const reservation = await em.findOne(Reservation, { orderId: order });
  if (!reservation) return null;
  const lines = await em.find(ReservationLine, { reservation: order }, { orderBy: { productId: 'asc' } });
  return {
    status: reservation.status,
    shortages: reservation.shortages,
    lines: lines.map((line) => ({ productId: line.productId, quantity: line.quantity })),
  };
}

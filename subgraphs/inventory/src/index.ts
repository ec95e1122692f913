// The package entry (package.json "exports"): lets a process that runs several subgraphs (a local
// `npm start`, an end-to-end test) start this one through its composition root, and lets a queue
// consumer or a test reserve and release stock through the same domain service the subgraph uses. The
// inventory worker (its queue consumer) starts the same way, through its own composition root.
export { startInventorySubgraph } from './app.ts';
export { startInventoryWorker } from './worker.ts';
export { createEventHandlers, describeShortages, type InventoryHandlerDeps } from './event-handlers.ts';
export { envSchema, loadEnv, type Env } from './env.ts';
export { openInventoryDatabase } from './database.ts';
export { entities } from './entities.ts';
export {
  createStockService,
  type ReleaseOutcome,
  type ReserveOutcome,
  type StockCount,
  type StockService,
} from './stock.service.ts';
export type { ReserveItem } from './stock-input.ts';
export { Reservation, ReservationLine, type ReservationStatus, type Shortage } from './reservation.entity.ts';
export { StockLevel } from './stock-level.entity.ts';
export { findReservedMismatches, type ReservedMismatch } from './stock-audit.ts';
export { SEED_ORDER_ID, SEED_RESERVATION_LINES, SEED_STOCK, seedStock } from './seed.ts';
export { shippingEstimate } from './shipping-estimate.ts';

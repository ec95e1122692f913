// The package entry (package.json "exports"): lets a process that runs several subgraphs (a local
// `npm start`, an end-to-end test, the saga's workers) start this one through its composition root and
// drive orders through their domain service.
export { startOrdersSubgraph } from './app.ts';
export { startOrdersWorker } from './worker.ts';
export { createEventHandlers } from './event-handlers.ts';
export { envSchema, loadEnv, type Env } from './env.ts';
export { SEED_ORDER_IDS } from './seed.ts';
export { createOrderService, CANCELLED_BY, type OrderService } from './order.service.ts';
export type { CatalogProduct, ProductCatalog } from './product-catalog.ts';
export { entities } from './entities.ts';

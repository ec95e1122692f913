import type { Logger } from '@supergraph/logging';
import { startEventWorker, type EventWorker } from '@supergraph/events';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { createEventHandlers } from './event-handlers.ts';

/**
 * The inventory worker's composition root: the consumer of the inventory queue (OrderPlaced reserves
 * stock, PaymentDeclined and OrderCancelled release it) with its own /health, /ready and /metrics.
 */
export function startInventoryWorker(
  env: Env,
  overrides: { logger?: Logger; onQuery?: (sql: string) => void } = {},
): Promise<EventWorker> {
  return startEventWorker({
    consumer: 'inventory',
    env,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
    handlers: (_orm, logger) => createEventHandlers({ logger }),
    ...overrides,
  });
}

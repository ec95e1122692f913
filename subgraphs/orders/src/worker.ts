import { startEventWorker, type EventWorker } from '@supergraph/events';
import type { Logger } from '@supergraph/logging';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { createEventHandlers } from './event-handlers.ts';

/**
 * The orders worker's composition root: the consumer of the orders queue (InventoryRejected and
 * PaymentDeclined cancel an order, PaymentAuthorized confirms it) with /health, /ready and /metrics on
 * WORKER_PORT. It prices nothing, so it has no products catalog; the events its handlers record are
 * published by the API process's outbox relay.
 */
export function startOrdersWorker(
  env: Env,
  overrides: { logger?: Logger; onQuery?: (sql: string) => void } = {},
): Promise<EventWorker> {
  return startEventWorker({
    consumer: 'orders',
    env,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
    handlers: (_orm, logger) => createEventHandlers({ logger }),
    ...overrides,
  });
}

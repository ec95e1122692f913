import { startEventWorker, type EventWorker } from '@supergraph/events';
import type { Logger } from '@supergraph/logging';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { createEventHandlers } from './event-handlers.ts';
import { startSagaSweeper } from './saga-sweeper.ts';

/**
 * The orders worker's composition root: the consumer of the orders queue (InventoryRejected and
 * PaymentDeclined cancel an order, PaymentAuthorized confirms it) and the saga sweeper (no order stays
 * PENDING for ever), with /health, /ready and /metrics on WORKER_PORT. It prices nothing, so it has no
 * products catalog; the events its handlers and its sweeper record are published by the API process's
 * outbox relay.
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
    background: (orm, { logger, registry }) =>
      startSagaSweeper({
        orm,
        logger,
        registry,
        intervalMs: env.SAGA_SWEEP_INTERVAL_MS,
        redriveAfterMs: env.SAGA_REDRIVE_AFTER_MS,
        cancelAfterMs: env.SAGA_CANCEL_AFTER_MS,
      }),
    ...overrides,
  });
}

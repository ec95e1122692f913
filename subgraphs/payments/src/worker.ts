import { startEventWorker, type EventWorker } from '@supergraph/events';
import { createLogger } from '@supergraph/logging';
import { breakerOptions } from '@supergraph/resilience';
import type { PaymentsOverrides } from './app.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { createEventHandlers } from './event-handlers.ts';
import { guardPaymentProvider } from './guarded-payment-provider.ts';
import { providerFromEnv } from './provider-from-env.ts';

/**
 * The payments worker's composition root: consumes the `payments` queue (InventoryReserved,
 * OrderCancelled) with its own provider and breaker, and serves /health, /ready and /metrics on
 * WORKER_PORT. Its outbox is published by the API process's relay.
 */
export async function startPaymentsWorker(env: Env, overrides: PaymentsOverrides = {}): Promise<EventWorker> {
  const logger = createLogger({ name: 'payments-worker', level: env.LOG_LEVEL });
  const provider = guardPaymentProvider(
    overrides.provider ?? providerFromEnv(env),
    breakerOptions(env, 'PAYMENT_PROVIDER'),
    logger,
  );
  try {
    return await startEventWorker({
      consumer: 'payments',
      env,
      entities,
      migrationsPath: new URL('../migrations', import.meta.url).pathname,
      handlers: () => createEventHandlers({ provider }),
      closers: [async () => provider.shutdown()],
      logger,
    });
  } catch (error) {
    provider.shutdown();
    throw error;
  }
}

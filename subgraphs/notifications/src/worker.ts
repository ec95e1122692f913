import { startEventWorker, type EventWorker } from '@supergraph/events';
import { createLogger, type Logger } from '@supergraph/logging';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { createEventHandlers } from './event-handlers.ts';
import type { NotificationTransport } from './notification-transport.ts';
import { transportFromEnv } from './transport-from-env.ts';

/** What a test (or an embedding process) may supply instead of what the environment describes. */
export interface NotificationsWorkerOverrides {
  transport?: NotificationTransport;
  logger?: Logger;
  onQuery?: (sql: string) => void;
}

/**
 * The notifications worker's composition root: the consumer of the notifications queue (UserRegistered
 * fills the recipient directory and welcomes; OrderConfirmed and OrderCancelled tell the customer),
 * the transport NOTIFICATION_TRANSPORT names, and /health, /ready and /metrics on WORKER_PORT.
 */
export async function startNotificationsWorker(
  env: Env,
  overrides: NotificationsWorkerOverrides = {},
): Promise<EventWorker> {
  const logger = overrides.logger ?? createLogger({ name: 'notifications-worker', level: env.LOG_LEVEL });
  const transport = overrides.transport ?? transportFromEnv(env, logger);
  try {
    return await startEventWorker({
      consumer: 'notifications',
      env,
      entities,
      migrationsPath: new URL('../migrations', import.meta.url).pathname,
      handlers: () => createEventHandlers({ transport }),
      // After the jobs under way have finished: the SMTP pool sends what it holds, then closes.
      closers: [() => transport.close()],
      logger,
      onQuery: overrides.onQuery,
    });
  } catch (error) {
    await transport.close();
    throw error;
  }
}

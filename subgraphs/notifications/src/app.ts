import { createLogger, type Logger } from '@supergraph/logging';
import { startDatabaseSubgraph, type SubgraphServer } from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import type { NotificationTransport } from './notification-transport.ts';
import { resolvers } from './resolvers.ts';
import { seed } from './seed.ts';
import { transportFromEnv } from './transport-from-env.ts';

/** What a test (or an embedding process) may supply instead of what the environment describes. */
export interface NotificationsOverrides {
  transport?: NotificationTransport;
  logger?: Logger;
}

/** The notifications subgraph's composition root: every dependency is built here and nowhere else. */
export async function startNotificationsSubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
  overrides: NotificationsOverrides = {},
): Promise<SubgraphServer> {
  const logger = overrides.logger ?? createLogger({ name: 'notifications', level: env.LOG_LEVEL });
  const transport = overrides.transport ?? transportFromEnv(env, logger);
  try {
    return await startDatabaseSubgraph({
      name: 'notifications',
      env,
      root: new URL('..', import.meta.url),
      entities,
      resolvers,
      createContext: contextFactory,
      seed: (orm) => seed(orm.em.fork()),
      onQuery: hooks.onQuery,
      logger,
      // After HTTP has drained: the SMTP pool finishes the messages it holds, then closes.
      closers: [() => transport.close()],
    });
  } catch (error) {
    await transport.close();
    throw error;
  }
}

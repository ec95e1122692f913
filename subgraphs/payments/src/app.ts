import { outboxRelayFor } from '@supergraph/events';
import { createLogger } from '@supergraph/logging';
import { breakerOptions } from '@supergraph/resilience';
import { startDatabaseSubgraph, type SubgraphServer } from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { guardPaymentProvider } from './guarded-payment-provider.ts';
import type { PaymentProvider } from './payment-provider.ts';
import { providerFromEnv } from './provider-from-env.ts';
import { resolvers } from './resolvers.ts';
import { seedPayments } from './seed.ts';

/** What a test may replace in the composition: the provider, with one that fails or counts calls. */
export interface PaymentsOverrides {
  provider?: PaymentProvider;
}

/** The payments subgraph's composition root: every dependency is built here and nowhere else. */
export async function startPaymentsSubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
  overrides: PaymentsOverrides = {},
): Promise<SubgraphServer> {
  const logger = createLogger({ name: 'payments', level: env.LOG_LEVEL });
  // One breaker for the one outbound dependency: a provider that is down or slow answers
  // SERVICE_UNAVAILABLE at once instead of tying up every call until its timeout.
  const provider = guardPaymentProvider(
    overrides.provider ?? providerFromEnv(env),
    breakerOptions(env, 'PAYMENT_PROVIDER'),
    logger,
  );
  try {
    return await startDatabaseSubgraph({
      name: 'payments',
      env,
      root: new URL('..', import.meta.url),
      entities,
      resolvers,
      createContext: (orm) => contextFactory(orm, provider),
      seed: (orm) => seedPayments(orm.em.fork()),
      onQuery: hooks.onQuery,
      logger,
      // The worker writes PaymentAuthorized and PaymentDeclined into the outbox; the API process
      // publishes them, as every emitting domain's API does.
      background: outboxRelayFor(env),
      closers: [async () => provider.shutdown()],
    });
  } catch (error) {
    provider.shutdown();
    throw error;
  }
}

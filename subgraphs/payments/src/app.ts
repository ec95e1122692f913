import { createLogger } from '@supergraph/logging';
import { breakerOptions, createBreaker } from '@supergraph/resilience';
import { startDatabaseSubgraph, type SubgraphServer } from '@supergraph/server-kit';
import { contextFactory } from './context.ts';
import { entities } from './entities.ts';
import type { Env } from './env.ts';
import { createFakePaymentProvider } from './fake-payment-provider.ts';
import type { AuthorizationRequest, PaymentProvider } from './payment-provider.ts';
import { resolvers } from './resolvers.ts';
import { seedPayments } from './seed.ts';
import { createStripePaymentProvider } from './stripe-payment-provider.ts';

/** What a test may replace in the composition: the provider, with one that fails or counts calls. */
export interface PaymentsOverrides {
  provider?: PaymentProvider;
}

function providerFor(env: Env): PaymentProvider {
  if (env.PAYMENT_PROVIDER === 'fake') {
    return createFakePaymentProvider({ declineAbove: env.PAYMENT_DECLINE_ABOVE });
  }
  // envSchema refuses stripe without a key; this guards an Env built by hand.
  if (!env.STRIPE_SECRET_KEY) {
    throw new Error('STRIPE_SECRET_KEY is required when PAYMENT_PROVIDER is stripe');
  }
  return createStripePaymentProvider({
    secretKey: env.STRIPE_SECRET_KEY,
    paymentMethod: env.STRIPE_PAYMENT_METHOD,
    timeoutMs: env.PAYMENT_PROVIDER_TIMEOUT_MS,
  });
}

/** The payments subgraph's composition root: every dependency is built here and nowhere else. */
export async function startPaymentsSubgraph(
  env: Env,
  hooks: { onQuery?: (sql: string) => void } = {},
  overrides: PaymentsOverrides = {},
): Promise<SubgraphServer> {
  const logger = createLogger({ name: 'payments', level: env.LOG_LEVEL });
  const provider = overrides.provider ?? providerFor(env);
  // One breaker for the one outbound dependency: a provider that is down or slow answers
  // SERVICE_UNAVAILABLE at once instead of tying up every authorization until its timeout.
  const breaker = createBreaker(
    'payment provider',
    (signal, request: AuthorizationRequest) => provider.authorize(request, signal),
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
      createContext: (orm) => contextFactory(orm, breaker.call),
      seed: (orm) => seedPayments(orm.em.fork()),
      onQuery: hooks.onQuery,
      logger,
      closers: [async () => breaker.shutdown()],
    });
  } catch (error) {
    breaker.shutdown();
    throw error;
  }
}

import type { Env } from './env.ts';
import { createFakePaymentProvider } from './fake-payment-provider.ts';
import type { PaymentProvider } from './payment-provider.ts';
import { createStripePaymentProvider } from './stripe-payment-provider.ts';

/** The provider the configuration names; both processes (API and worker) build theirs with it. */
export function providerFromEnv(env: Env): PaymentProvider {
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

import { AsyncLocalStorage } from 'node:async_hooks';
import Stripe from 'stripe';
import type { PaymentProvider } from './payment-provider.ts';

export interface StripeProviderOptions {
  secretKey: string;
  /** The PaymentMethod charged, e.g. Stripe's test card `pm_card_visa`. */
  paymentMethod: string;
  /** The SDK's own deadline per request, a backstop behind the caller's AbortSignal. */
  timeoutMs: number;
  /** Where the API is: Stripe's unless a test points the SDK at a local imitation. */
  api?: { host: string; port: number; protocol: 'http' | 'https' };
}

/**
 * Authorizes through a Stripe PaymentIntent confirmed at once with manual capture: the card is only
 * held (`requires_capture`), to be captured when the order ships or cancelled if it is not. Nothing
 * captures yet, so a refund cancels the intent, which releases the hold without moving money.
 */
export function createStripePaymentProvider(options: StripeProviderOptions): PaymentProvider {
  // The SDK takes no AbortSignal per request; its fetch client reads the current call's signal from
  // here, so a caller that gives up (the breaker's timeout) also closes the connection to Stripe.
  const callerSignal = new AsyncLocalStorage<AbortSignal>();
  const fetchWithCallerSignal: typeof fetch = (input, init = {}) => {
    const signals = [init.signal, callerSignal.getStore()].filter((signal) => signal != null);
    return fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
  const stripe = new Stripe(options.secretKey, {
    httpClient: Stripe.createFetchHttpClient(fetchWithCallerSignal),
    timeout: options.timeoutMs,
    // The saga retries a failed authorization later with the same idempotency key; a retry inside
    // the SDK would only run past the caller's deadline.
    maxNetworkRetries: 0,
    telemetry: false,
    ...options.api,
  });

  return {
    async authorize(request, signal) {
      let intent: Stripe.PaymentIntent;
      try {
        intent = await callerSignal.run(signal, () =>
          stripe.paymentIntents.create(
            {
              amount: request.amount.amount,
              currency: request.amount.currency.toLowerCase(),
              payment_method: options.paymentMethod,
              confirm: true,
              capture_method: 'manual',
              // Confirmed server-side there is no page to return to: refuse redirect-based methods
              // rather than require a return_url.
              automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
              metadata: { order_id: request.orderId },
            },
            // One key per order: a later attempt (a retried job, a redelivered event) gets the same intent.
            { idempotencyKey: `authorize-${request.orderId}` },
          ),
        );
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          return { outcome: 'DECLINED', reason: error.message };
        }
        throw error;
      }
      if (intent.status === 'requires_capture') return { outcome: 'AUTHORIZED', reference: intent.id };
      throw new Error(
        `Stripe left payment intent ${intent.id} for order ${request.orderId} in status ${intent.status}; expected requires_capture`,
      );
    },

    async refund(request, signal) {
      let intent: Stripe.PaymentIntent;
      try {
        intent = await callerSignal.run(signal, () =>
          stripe.paymentIntents.cancel(
            request.reference,
            {},
            // One key per order, as for the authorization: a retried job cancels the intent once.
            { idempotencyKey: `refund-${request.orderId}` },
          ),
        );
      } catch (error) {
        // An intent cancelled already (by an earlier attempt whose key Stripe has since forgotten, or
        // by Stripe itself when an uncaptured hold expires) holds nothing: what a refund wants.
        if (
          error instanceof Stripe.errors.StripeInvalidRequestError &&
          error.code === 'payment_intent_unexpected_state' &&
          error.payment_intent?.status === 'canceled'
        ) {
          return;
        }
        throw error;
      }
      if (intent.status !== 'canceled') {
        throw new Error(
          `Stripe left payment intent ${intent.id} for order ${request.orderId} in status ${intent.status}; expected canceled`,
        );
      }
    },
  };
}

import type { Logger } from '@supergraph/logging';
import { createBreaker, type BreakerOptions, type BreakerState } from '@supergraph/resilience';
import type {
  AuthorizationRequest,
  AuthorizationResult,
  PaymentProvider,
  RefundRequest,
} from './payment-provider.ts';

/**
 * The provider as the payment service calls it: the deadline is the breaker's, and any technical
 * failure arrives as SERVICE_UNAVAILABLE with nothing recorded.
 */
export interface ProviderCalls {
  authorize: (request: AuthorizationRequest) => Promise<AuthorizationResult>;
  refund: (request: RefundRequest) => Promise<void>;
}

export interface GuardedPaymentProvider extends ProviderCalls {
  state: () => BreakerState;
  shutdown: () => void;
}

/**
 * Puts one breaker around every call to the provider. Authorizations and refunds go to the same
 * service and fail for the same reasons (down, slow, refusing our key), so they share one circuit:
 * failing refunds open it for authorizations too, and the other way round.
 */
export function guardPaymentProvider(
  provider: PaymentProvider,
  options: BreakerOptions,
  logger?: Logger,
): GuardedPaymentProvider {
  const breaker = createBreaker(
    'payment provider',
    (signal, call: (signal: AbortSignal) => Promise<unknown>) => call(signal),
    options,
    logger,
  );
  // The breaker is typed for any call; each method below knows what its own call returns.
  const through = <T>(call: (signal: AbortSignal) => Promise<T>) => breaker.call(call) as Promise<T>;
  return {
    authorize: (request) => through((signal) => provider.authorize(request, signal)),
    refund: (request) => through((signal) => provider.refund(request, signal)),
    state: breaker.state,
    shutdown: breaker.shutdown,
  };
}

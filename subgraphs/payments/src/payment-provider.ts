import type { MoneyValue } from './money.ts';

export interface AuthorizationRequest {
  /** The order paid for; also the idempotency key, so a retried call never holds the money twice. */
  orderId: string;
  amount: MoneyValue;
}

/** A provider's answer. A decline is an answer, not a failure: the caller records it. */
export type AuthorizationResult =
  { outcome: 'AUTHORIZED'; reference: string } | { outcome: 'DECLINED'; reason: string };

export interface RefundRequest {
  /** The order refunded; the idempotency key too, so a retried refund gives the money back once. */
  orderId: string;
  /** The provider's reference of the authorization (AuthorizationResult's `reference`). */
  reference: string;
  amount: MoneyValue;
}

/**
 * Holds an amount on the customer's card (authorize now, capture when the order ships) and gives it
 * back when the order is cancelled. Both throw on a technical failure (unreachable, timed out, refused
 * our credentials) and stop work when `signal` aborts; the caller's breaker turns either into
 * SERVICE_UNAVAILABLE with nothing recorded.
 */
export interface PaymentProvider {
  authorize: (request: AuthorizationRequest, signal: AbortSignal) => Promise<AuthorizationResult>;
  /** Resolves once the provider no longer holds the amount; a refund is never declined. */
  refund: (request: RefundRequest, signal: AbortSignal) => Promise<void>;
}

import type { MoneyValue } from './money.ts';

export interface AuthorizationRequest {
  /** The order paid for; also the idempotency key, so a retried call never holds the money twice. */
  orderId: string;
  amount: MoneyValue;
}

/** A provider's answer. A decline is an answer, not a failure: the caller records it. */
export type AuthorizationResult =
  { outcome: 'AUTHORIZED'; reference: string } | { outcome: 'DECLINED'; reason: string };

/**
 * Holds an amount on the customer's card (authorize now, capture when the order ships). It throws on
 * a technical failure (unreachable, timed out, refused our credentials) and stops work when `signal`
 * aborts; the caller's breaker turns either into SERVICE_UNAVAILABLE with nothing recorded.
 */
export interface PaymentProvider {
  authorize: (request: AuthorizationRequest, signal: AbortSignal) => Promise<AuthorizationResult>;
}

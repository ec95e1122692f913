import { formatMoney } from './money.ts';
import type { PaymentProvider } from './payment-provider.ts';

/** The fake's reference for an order's authorization; the seed's payment uses it too. */
export function fakeReference(orderId: string): string {
  return `fake_auth_${orderId}`;
}

/**
 * DESIGN section 4's deterministic provider for development, demos and tests: it declines any amount
 * above `declineAbove` (minor units) and authorizes the rest, so ordering enough forces a decline. It
 * holds no money, so every refund succeeds.
 */
export function createFakePaymentProvider(options: { declineAbove: number }): PaymentProvider {
  return {
    async authorize(request, signal) {
      signal.throwIfAborted();
      if (request.amount.amount > options.declineAbove) {
        const limit = formatMoney({ amount: options.declineAbove, currency: request.amount.currency });
        return {
          outcome: 'DECLINED',
          reason: `the amount ${formatMoney(request.amount)} is above the limit of ${limit}`,
        };
      }
      return { outcome: 'AUTHORIZED', reference: fakeReference(request.orderId) };
    },
    async refund(_request, signal) {
      signal.throwIfAborted();
    },
  };
}

import { unauthenticated } from '@supergraph/errors';
import type { Identity } from '@supergraph/identity';
import type { Loaders } from './loaders.ts';
import type { PaymentRecord } from './payment.entity.ts';

export type PaymentReader = ReturnType<typeof createPaymentReader>;

/** A customer sees the payments of their own orders; an admin sees every payment. */
export function canSee(identity: Identity | null, payment: PaymentRecord): boolean {
  return identity !== null && (identity.role === 'ADMIN' || identity.userId === payment.userId);
}

function visibleTo(identity: Identity | null, payment: PaymentRecord | null): PaymentRecord | null {
  // Another customer's payment reads as none at all: its existence is not theirs to learn.
  return payment && canSee(identity, payment) ? payment : null;
}

function requireSignedIn(identity: Identity | null): Identity {
  if (!identity) throw unauthenticated('You must be signed in to see a payment.');
  return identity;
}

/** Who may read which payment, over the request's loaders (every path batches). */
export function createPaymentReader(loaders: Loaders) {
  return {
    /** `payment(id)`: an anonymous caller is asked to sign in. */
    async byId(identity: Identity | null, id: string): Promise<PaymentRecord | null> {
      const caller = requireSignedIn(identity);
      return visibleTo(caller, await loaders.paymentById(id));
    },

    /** A Payment reference from another subgraph: null unless the caller may see it. */
    async byReference(identity: Identity | null, id: string): Promise<PaymentRecord | null> {
      return identity ? visibleTo(identity, await loaders.paymentById(id)) : null;
    },

    /** `Order.payment`: null until a payment was attempted, or if it is not the caller's. */
    async forOrder(identity: Identity | null, orderId: string): Promise<PaymentRecord | null> {
      const caller = requireSignedIn(identity);
      return visibleTo(caller, await loaders.paymentByOrderId(orderId));
    },
  };
}

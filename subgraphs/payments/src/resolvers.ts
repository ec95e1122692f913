import { DateTimeScalar } from '@supergraph/server-kit';
import type { Resolvers } from './generated/resolvers-types.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    payment: (_, { id }, ctx) => ctx.reader.byId(ctx.identity, id),
  },
  Payment: {
    __resolveReference: (reference, ctx) => ctx.reader.byReference(ctx.identity, reference.id),
    // A payment's amount is its order's total: payments answers `order { total }` itself (@provides).
    order: (payment) => ({ id: payment.orderId, total: payment.amount }),
  },
  Order: {
    // Nothing to load for the order itself; its payment is batched across the whole request.
    __resolveReference: (reference) => ({ id: reference.id }),
    payment: (order, _, ctx) => ctx.reader.forOrder(ctx.identity, order.id),
  },
};

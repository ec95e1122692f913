import { DateTimeScalar } from '@supergraph/server-kit';
import type { Resolvers } from './generated/resolvers-types.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    order: (_, { id }, ctx) => ctx.orders.order(ctx.identity, id),
  },
  Mutation: {
    placeOrder: (_, { input }, ctx) => ctx.orders.placeOrder(ctx.identity, input),
    cancelOrder: (_, { id }, ctx) => ctx.orders.cancelOrder(ctx.identity, id),
  },
  Order: {
    __resolveReference: (reference, ctx) => ctx.orders.orderReference(ctx.identity, reference.id),
    user: (order) => ({ id: order.userId }),
    items: (order, _, ctx) => ctx.orders.items(order),
  },
  OrderItem: {
    product: (item) => ({ id: item.productId }),
  },
  OrderConnection: {
    totalCount: (page) => page.countTotal(),
  },
  User: {
    // Users owns the account; orders only adds a field to it, so a reference needs no lookup here.
    __resolveReference: (reference) => ({ id: reference.id }),
    orders: (user, args, ctx) => ctx.orders.ordersOf(ctx.identity, user.id, args),
  },
};

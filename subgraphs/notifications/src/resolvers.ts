import { DateTimeScalar } from '@supergraph/server-kit';
import type { Resolvers } from './generated/resolvers-types.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  User: {
    // Users own the user; all this subgraph needs of one is its id, so a reference costs no SQL.
    __resolveReference: (reference) => ({ id: reference.id }),
    notifications: (user, { first }, ctx) => ctx.feed.recent(ctx.identity, user.id, first),
  },
  Notification: {
    __resolveReference: (reference, ctx) => ctx.feed.byId(ctx.identity, reference.id),
  },
};

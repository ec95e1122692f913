import { DateTimeScalar } from '@supergraph/server-kit';
import type { Resolvers } from './generated/resolvers-types.ts';
import { isUuid } from '@supergraph/db';
import { canSee } from './user.service.ts';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_, __, ctx) => ctx.users.me(ctx.identity),
    user: (_, { id }, ctx) => ctx.users.user(ctx.identity, id),
  },
  Mutation: {
    register: (_, { input }, ctx) => ctx.users.register(input),
    login: (_, { email, password }, ctx) => ctx.users.login(email, password),
  },
  User: {
    __resolveReference: (reference, ctx) =>
      canSee(ctx.identity, reference.id) && isUuid(reference.id)
        ? ctx.loaders.userById.load(reference.id)
        : null,
  },
};

// The accounts subgraph of the public graphql-gateways-benchmark: its six users, answered from memory.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

const user = (id: string, name: string, username: string): User => ({
  id,
  name,
  username,
  birthday: 1234567890,
});

const USERS: readonly User[] = [
  user('1', 'Uri Goldshtein', 'urigo'),
  user('2', 'Dotan Simha', 'dotansimha'),
  user('3', 'Kamil Kisiela', 'kamilkisiela'),
  user('4', 'Arda Tanrikulu', 'ardatan'),
  user('5', 'Gil Gardosh', 'gilgardosh'),
  user('6', 'Laurin Quast', 'laurin'),
];

const byId = (id: unknown) => USERS.find((candidate) => candidate.id === id) ?? null;

export const accountsResolvers: GraphQLResolverMap<unknown> = {
  Query: {
    // The benchmark's signed-in user is always the first.
    me: () => USERS[0],
    user: (_: unknown, args: { id: string }) => byId(args.id),
    users: () => USERS,
  },
  User: {
    __resolveReference: (reference: { id: string }) => byId(reference.id),
  },
};

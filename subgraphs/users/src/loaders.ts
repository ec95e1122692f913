import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { readUsers } from './user-rows.ts';

export type Loaders = ReturnType<typeof createLoaders>;

export function createLoaders(em: EntityManager) {
  return {
    userById: keyedLoader(
      (ids: readonly string[]) => readUsers(em, ids),
      (user) => user.id,
    ),
  };
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { keyedLoader } from '@supergraph/db';
import { User } from './user.entity.ts';

export type Loaders = ReturnType<typeof createLoaders>;

export function createLoaders(em: EntityManager) {
  return {
    userById: keyedLoader(
      (ids: readonly string[]) => em.find(User, { id: { $in: [...ids] } }),
      (user) => user.id,
    ),
  };
}

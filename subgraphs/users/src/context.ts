import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import type { RequestContext } from '@supergraph/server-kit';
import { createLoaders, type Loaders } from './loaders.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { TokenIssuer } from './tokens.ts';
import { createUserService, type UserService } from './user.service.ts';

export interface Context extends RequestContext {
  em: EntityManager;
  loaders: Loaders;
  users: UserService;
}

/** Each request gets its own EntityManager fork and its own DataLoaders: nothing leaks between callers. */
export function contextFactory(orm: Database, tokens: TokenIssuer, passwords: PasswordHasher) {
  return (base: RequestContext): Context => {
    const em = orm.em.fork();
    const loaders = createLoaders(em);
    return { ...base, em, loaders, users: createUserService(em, tokens, passwords, loaders) };
  };
}

import { z } from 'zod';
import type { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { isUuid } from '@supergraph/db';
import { badUserInput, DomainError, forbidden, unauthenticated } from '@supergraph/errors';
import { recordEvent } from '@supergraph/events';
import type { Identity } from '@supergraph/identity';
import { createLoaders, type Loaders } from './loaders.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { TokenIssuer } from './tokens.ts';
import type { UserView } from './user-rows.ts';
import { User, type UserRecord } from './user.entity.ts';

const registration = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(
      z
        .email({ error: 'email must be a valid email address' })
        .max(254, 'email must be at most 254 characters'),
    ),
  name: z.string().trim().min(1, 'name must not be empty').max(100, 'name must be at most 100 characters'),
  password: z
    .string()
    .min(8, 'password must be at least 8 characters')
    .max(128, 'password must be at most 128 characters'),
});

export interface AuthResult {
  token: string;
  user: UserRecord;
}

export type UserService = ReturnType<typeof createUserService>;

/** Accounts: registration, sign-in and who may see whom. No GraphQL here. */
export function createUserService(
  em: EntityManager,
  tokens: TokenIssuer,
  passwords: PasswordHasher,
  loaders: Loaders = createLoaders(em),
) {
  async function authResult(user: UserRecord): Promise<AuthResult> {
    return { token: await tokens.issue(user), user };
  }

  return {
    async register(input: { email: string; name: string; password: string }): Promise<AuthResult> {
      const parsed = registration.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw badUserInput(issue?.message ?? 'invalid registration', { field: issue?.path.join('.') });
      }
      const { email, name, password } = parsed.data;
      if (await em.count(User, { email })) throw duplicateEmail(email);
      // Hashed before the transaction opens: a hash may wait for its turn, and a transaction should not.
      const passwordHash = await passwords.hash(password);
      // The account and its UserRegistered event commit together, or neither does.
      const user = await em
        .transactional(async (tx) => {
          const created = tx.create(User, { email, name, passwordHash, role: 'CUSTOMER' });
          await recordEvent(tx, 'UserRegistered', { userId: created.id, email, name });
          return created;
        })
        .catch((error: unknown) => {
          // Two registrations for one address at once: the unique index decides, the loser is told.
          if (error instanceof UniqueConstraintViolationException) throw duplicateEmail(email);
          throw error;
        });
      return authResult(user);
    },

    async login(email: string, password: string): Promise<AuthResult> {
      const user = await em.findOne(User, { email: email.trim().toLowerCase() });
      const { matches, rehashed } = await passwords.verify(
        password,
        user?.passwordHash ?? (await passwords.decoy()),
      );
      if (!user || !matches) throw new DomainError('UNAUTHENTICATED', 'Email or password is incorrect.');
      if (rehashed) {
        user.passwordHash = rehashed;
        await em.flush();
      }
      return authResult(user);
    },

    async me(identity: Identity | null): Promise<UserView | null> {
      if (!identity) return null;
      return isUuid(identity.userId) ? loaders.userById.load(identity.userId.toLowerCase()) : null;
    },

    /** Self or admin; anyone else is refused whether or not the user exists. */
    async user(identity: Identity | null, id: string): Promise<UserView | null> {
      if (!identity) throw unauthenticated();
      if (!canSee(identity, id)) throw forbidden('You can only see your own account.');
      return isUuid(id) ? loaders.userById.load(id.toLowerCase()) : null;
    },
  };
}

/** An entity reference from another subgraph resolves only for the user themself or an admin. */
export function canSee(identity: Identity | null, userId: string): boolean {
  return identity !== null && (identity.role === 'ADMIN' || identity.userId === userId);
}

function duplicateEmail(email: string): DomainError {
  return badUserInput(`An account with email ${email} already exists.`, { field: 'email' });
}

import type { EntityManager } from '@mikro-orm/postgresql';
import { placeholders, tableOf, timestampParser } from '@supergraph/db';
import { User, type ROLES, type UserRecord } from './user.entity.ts';

/** An account as GraphQL reads it: everything but the password hash, which no read needs. */
export type UserView = Omit<UserRecord, 'passwordHash'>;

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: (typeof ROLES)[number];
  created_at: string;
}

/**
 * Accounts by id as plain rows, not entities: `me`, `user(id)` and User references only hand what they
 * read to GraphQL, and hydrating an entity into the request's identity map cost more CPU than the
 * statement itself (issue 15, docs/benchmarks.md). One statement for the batch, in no particular order.
 */
export async function readUsers(em: EntityManager, ids: readonly string[]): Promise<UserView[]> {
  const rows = await em.execute<UserRow[]>(
    `select id, email, name, role, created_at from ${tableOf(em, User)} where id in (${placeholders(ids)})`,
    [...ids],
  );
  const timestamp = timestampParser(em);
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: timestamp(row.created_at),
  }));
}

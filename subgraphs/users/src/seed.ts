import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword } from './password.ts';
import { User } from './user.entity.ts';

/**
 * Demo accounts (their credentials are in the README). The ids are fixed so other subgraphs' seed data
 * (orders, notifications) can refer to these users.
 */
export const SEED_USERS = [
  {
    id: '00000000-0000-4000-8000-000000000001',
    email: 'admin@shop.example',
    name: 'Ada Admin',
    password: 'admin-password',
    role: 'ADMIN',
  },
  {
    id: '00000000-0000-4000-8000-000000000002',
    email: 'customer@shop.example',
    name: 'Casey Customer',
    password: 'customer-password',
    role: 'CUSTOMER',
  },
] as const;

/** Creates the demo accounts that are missing; existing ones (and changed passwords) are left alone. */
export async function seedUsers(em: EntityManager): Promise<number> {
  const existing = await em.find(User, { id: { $in: SEED_USERS.map((user) => user.id) } });
  const missing = SEED_USERS.filter((seed) => !existing.some((user) => user.id === seed.id));
  for (const seed of missing) {
    em.create(User, {
      id: seed.id,
      email: seed.email,
      name: seed.name,
      role: seed.role,
      passwordHash: await hashPassword(seed.password),
    });
  }
  await em.flush();
  return missing.length;
}

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ROLES = ['CUSTOMER', 'ADMIN'] as const;

export const User = defineEntity({
  name: 'User',
  tableName: 'user_account',
  // Unqualified in migrations; the runtime schema comes from the subgraph's config.
  schema: '*',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** Stored lower-cased: one account per address, however it is typed. */
    email: p.string().length(254).unique(),
    name: p.string().length(100),
    passwordHash: p.string().length(255).hidden(),
    role: p.enum(ROLES).default('CUSTOMER'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type UserRecord = InferEntity<typeof User>;

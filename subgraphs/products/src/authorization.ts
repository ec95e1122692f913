import { forbidden, unauthenticated } from '@supergraph/errors';
import type { Identity } from '@supergraph/identity';

/** The catalog is public to read; only an admin changes it. */
export function requireAdmin(identity: Identity | null): Identity {
  if (!identity) throw unauthenticated('You must be signed in as an admin to change the catalog.');
  if (identity.role !== 'ADMIN') throw forbidden('Only an admin can change the catalog.');
  return identity;
}

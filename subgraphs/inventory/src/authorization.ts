import { forbidden, unauthenticated } from '@supergraph/errors';
import type { Identity } from '@supergraph/identity';

/** Stock levels are public to read; only an admin changes them. */
export function requireAdmin(identity: Identity | null): Identity {
  if (!identity) throw unauthenticated('You must be signed in as an admin to restock products.');
  if (identity.role !== 'ADMIN') throw forbidden('Only an admin can restock products.');
  return identity;
}

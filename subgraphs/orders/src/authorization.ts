import { forbidden, unauthenticated } from '@supergraph/errors';
import type { Identity } from '@supergraph/identity';

/** Orders are owned data: there is nothing to see or do without signing in. */
export function requireSignedIn(identity: Identity | null, message?: string): Identity {
  if (!identity) throw unauthenticated(message);
  return identity;
}

/** A customer sees their own orders; an admin sees everyone's. */
export function canSeeOrdersOf(identity: Identity, userId: string): boolean {
  return identity.role === 'ADMIN' || identity.userId.toLowerCase() === userId.toLowerCase();
}

/** For a list that belongs to one user, where answering null would hide nothing: say no outright. */
export function requireOrdersOf(identity: Identity | null, userId: string): Identity {
  const caller = requireSignedIn(identity, 'You must be signed in to see orders.');
  if (!canSeeOrdersOf(caller, userId)) throw forbidden('You can only see your own orders.');
  return caller;
}

import { forbidden, unauthenticated } from '@supergraph/errors';
import type { Identity } from '@supergraph/identity';

/** A user's notifications are theirs and the admins'. Ids compare case-insensitively, as uuids do. */
export function canSee(identity: Identity | null, userId: string): boolean {
  if (!identity) return false;
  return identity.role === 'ADMIN' || identity.userId.toLowerCase() === userId.toLowerCase();
}

/** For a field that must answer: anonymous is UNAUTHENTICATED, anyone else's is FORBIDDEN. */
export function requireReader(identity: Identity | null, userId: string): Identity {
  if (!identity) throw unauthenticated('You must be signed in to see notifications.');
  if (!canSee(identity, userId)) throw forbidden('You can only see your own notifications.');
  return identity;
}

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { EMAIL_MAX } from './notification.entity.ts';

/**
 * Where to reach a user, as this subgraph last heard it. Users owns the account; notifications keeps a
 * copy, filled from UserRegistered, so an order event (which carries only the user's id) can be mailed
 * without a call to another subgraph.
 */
export const Recipient = defineEntity({
  name: 'Recipient',
  tableName: 'recipient',
  schema: '*',
  properties: {
    userId: p.uuid().primary(),
    email: p.string().length(EMAIL_MAX),
    name: p.text(),
    /** When the event that told us happened: an older event arriving late never overwrites a newer one. */
    updatedAt: p.datetime(),
  },
  checks: [{ name: 'recipient_name_check', expression: 'length(trim(name)) > 0' }],
});

export type RecipientRecord = InferEntity<typeof Recipient>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const NOTIFICATION_KINDS = ['WELCOME', 'ORDER_CONFIRMED', 'ORDER_CANCELLED'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_STATUSES = ['PENDING', 'SENT', 'FAILED'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** Longest subject a mail client shows whole; longer ones are a template bug, not a message. */
export const SUBJECT_MAX = 200;
export const BODY_MAX = 20_000;
/** RFC 5321's limit on a forward path. */
export const EMAIL_MAX = 254;

/**
 * One message to one user because of one event. The row is written before the transport is called, and
 * the unique (event_id, user_id) makes a redelivered event find that row instead of sending a second
 * message. Written outside a transaction, a crash between the two leaves a PENDING row that the
 * redelivery picks up; the events worker writes it in the transaction that marks the event processed,
 * where a crash leaves nothing and the redelivery starts afresh under the same id.
 */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notification',
  schema: '*',
  // User.notifications reads a user's newest first: one index range per user.
  indexes: [
    {
      name: 'notification_user_id_created_at_id_index',
      columns: [{ name: 'user_id' }, { name: 'created_at', sort: 'desc' }, { name: 'id', sort: 'desc' }],
    },
  ],
  uniques: [{ name: 'notification_event_id_user_id_unique', properties: ['eventId', 'userId'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    /** The event that caused it: redelivering that event must not notify the user twice. */
    eventId: p.uuid(),
    userId: p.uuid(),
    recipientEmail: p.string().length(EMAIL_MAX),
    kind: p.enum(NOTIFICATION_KINDS),
    subject: p.string().length(SUBJECT_MAX),
    body: p.text(),
    status: p.enum(NOTIFICATION_STATUSES).default('PENDING'),
    /** How many times a sender claimed it for the transport, the successful time included. */
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
    /**
     * Set while one sender has it at the transport; another sender leaves it alone until the claim
     * expires, so concurrent deliveries of one event send once and a crashed sender does not block it
     * forever. The token lets the sender finish only its own claim.
     */
    claimToken: p.uuid().nullable(),
    claimExpiresAt: p.datetime().nullable(),
  },
  checks: [
    { name: 'notification_attempts_check', expression: 'attempts >= 0' },
    { name: 'notification_subject_check', expression: "length(trim(subject)) > 0 and subject !~ '[\\r\\n]'" },
    { name: 'notification_body_check', expression: 'length(trim(body)) > 0' },
    { name: 'notification_sent_at_check', expression: "(status = 'SENT') = (sent_at is not null)" },
    { name: 'notification_last_error_check', expression: "status <> 'FAILED' or last_error is not null" },
    {
      name: 'notification_claim_check',
      expression:
        "(claim_token is null) = (claim_expires_at is null) and (status <> 'SENT' or claim_token is null)",
    },
  ],
});

export type NotificationRecord = InferEntity<typeof Notification>;

/** A User as another subgraph refers to it: this subgraph knows users by id only. */
export interface UserReference {
  id: string;
}

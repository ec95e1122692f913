import { raw, type EntityManager } from '@mikro-orm/postgresql';
import { notificationIdFor } from './notification-id.ts';
import { validateNotifyInput, type NotifyInput } from './notification-input.ts';
import type { NotificationTransport } from './notification-transport.ts';
import { Notification, type NotificationRecord } from './notification.entity.ts';

export type { NotifyInput } from './notification-input.ts';
export type NotificationService = ReturnType<typeof createNotificationService>;

export interface NotificationServiceOptions {
  /**
   * How long one sender holds a notification at the transport before another may take it over. It must
   * outlast the slowest send (the SMTP transport gives up well within a minute), or a slow send and its
   * takeover both deliver; too long and a crashed sender's notification waits that long for its retry.
   */
  claimTimeoutMs?: number;
}

export const DEFAULT_CLAIM_TIMEOUT_MS = 120_000;
const LAST_ERROR_MAX = 2000;

/**
 * Another sender holds this notification at the transport right now (the same event delivered twice at
 * once). Nothing was sent; retry later: by then it is SENT, or the other sender's claim has expired.
 */
export class NotificationInFlightError extends Error {
  readonly notificationId: string;

  constructor(notificationId: string) {
    super(`notification ${notificationId} is being sent by another worker; retry later`);
    this.name = 'NotificationInFlightError';
    this.notificationId = notificationId;
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, LAST_ERROR_MAX);
}

/**
 * Records and sends each notification once per (event, user), however often and however concurrently
 * the event is delivered. Every statement is a single conditional one, so the database, not this
 * process, decides who sends: several workers and replicas may run it at once. One window remains, as
 * with any transport that cannot take part in a transaction: a sender that dies after the transport
 * accepted the message but before it is marked SENT leaves a claim that expires, and the retry sends
 * again, under the same Message-ID so that the copy is recognisable.
 *
 * Given an EntityManager inside a transaction (an event handler's), every statement runs in that
 * transaction: the record, the claim and the outcome commit with the caller's other writes (the event's
 * processed mark) or not at all. Nothing is then visible before the commit, and the transaction's row
 * lock on the (event, user) record, not the claim, is what makes a concurrent delivery wait: it finds
 * the notification SENT once the first commits, or records and sends it if the first rolled back. A
 * failed send rolls back with the caller, leaving no FAILED row; the event's retry starts afresh.
 */
export function createNotificationService(
  em: EntityManager,
  transport: NotificationTransport,
  options: NotificationServiceOptions = {},
) {
  const claimTimeoutMs = options.claimTimeoutMs ?? DEFAULT_CLAIM_TIMEOUT_MS;

  /** Records the notification unless this (event, user) already has one; the first record wins. */
  async function record(db: EntityManager, input: NotifyInput): Promise<void> {
    await db
      .createQueryBuilder(Notification)
      .insert({
        id: notificationIdFor(input.eventId, input.userId),
        eventId: input.eventId,
        userId: input.userId,
        recipientEmail: input.email,
        kind: input.kind,
        subject: input.subject,
        body: input.body,
        status: 'PENDING',
        attempts: 0,
        createdAt: new Date(),
      })
      .onConflict(['eventId', 'userId'])
      .ignore()
      .execute('run');
  }

  /**
   * Takes the notification for sending if it is not SENT and nobody holds it (or their claim expired).
   * One conditional update: of any number of concurrent callers exactly one gets the row back.
   */
  async function claim(db: EntityManager, input: NotifyInput, token: string) {
    const [claimed] = await db
      .createQueryBuilder(Notification)
      .update({
        claimToken: token,
        claimExpiresAt: raw('now() + make_interval(secs => ?)', [claimTimeoutMs / 1000]),
        attempts: raw('attempts + 1'),
      })
      .where({
        eventId: input.eventId,
        userId: input.userId,
        status: { $ne: 'SENT' },
        $or: [{ claimExpiresAt: null }, { claimExpiresAt: { $lte: raw('now()') } }],
      })
      .returning('*')
      .getResult();
    return claimed;
  }

  /**
   * Ends this sender's claim with the outcome. Only its own claim: if it outlived the timeout and
   * another sender took over, that sender's outcome stands.
   */
  async function settle(
    db: EntityManager,
    claimed: NotificationRecord,
    token: string,
    outcome: { status: 'SENT' } | { status: 'FAILED'; lastError: string },
  ): Promise<NotificationRecord> {
    const [settled] = await db
      .createQueryBuilder(Notification)
      .update({
        ...outcome,
        ...(outcome.status === 'SENT' ? { sentAt: raw('now()') } : {}),
        claimToken: null,
        claimExpiresAt: null,
      })
      .where({ id: claimed.id, claimToken: token })
      .returning('*')
      .getResult();
    return settled ?? db.findOneOrFail(Notification, claimed.id, { refresh: true });
  }

  return {
    /**
     * Sends the notification unless it was sent already, and returns it. Rejects when the transport
     * fails (the notification is left FAILED with the error, and the next call for the same event and
     * user sends it) and with NotificationInFlightError while another caller is sending it; either way
     * the caller retries, and a retry of a SENT notification sends nothing.
     */
    async notify(input: NotifyInput): Promise<NotificationRecord> {
      const fields = validateNotifyInput(input);
      // A fork per call: concurrent calls on one service share no identity map. It keeps the caller's
      // transaction, if there is one: a plain fork would run these statements outside it, committing
      // the notification apart from the caller's writes, on a second pooled connection per caller.
      const db = em.fork({ keepTransactionContext: true });
      await record(db, fields);
      const token = crypto.randomUUID();
      const claimed = await claim(db, fields, token);
      if (!claimed) {
        const current = await db.findOneOrFail(Notification, {
          eventId: fields.eventId,
          userId: fields.userId,
        });
        if (current.status === 'SENT') return current;
        throw new NotificationInFlightError(current.id);
      }
      try {
        await transport.send({
          to: claimed.recipientEmail,
          subject: claimed.subject,
          text: claimed.body,
          messageId: claimed.id,
        });
      } catch (error) {
        await settle(db, claimed, token, { status: 'FAILED', lastError: errorText(error) });
        throw error;
      }
      return settle(db, claimed, token, { status: 'SENT' });
    },
  };
}

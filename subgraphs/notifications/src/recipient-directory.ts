import { raw, type EntityManager } from '@mikro-orm/postgresql';
import { Recipient, type RecipientRecord } from './recipient.entity.ts';

/**
 * The user is not in the directory yet. Their UserRegistered may still be on its way (events of
 * different producers arrive in no particular order), so the caller fails and the event is retried.
 */
export class UnknownRecipientError extends Error {
  readonly userId: string;

  constructor(userId: string) {
    super(`recipient ${userId} is unknown: no UserRegistered has arrived for them yet`);
    this.name = 'UnknownRecipientError';
    this.userId = userId;
  }
}

export interface RecipientInput {
  userId: string;
  email: string;
  name: string;
  /** When the source event happened. */
  at: Date;
}

/** The directory of recipients, on the caller's EntityManager (and so in its transaction). */
export function createRecipientDirectory(em: EntityManager) {
  return {
    /**
     * Inserts the recipient, or updates them if this news is not older than what is stored: a replayed
     * or late event is harmless. One statement, so concurrent events for one user cannot interleave.
     */
    async record(input: RecipientInput): Promise<void> {
      await em
        .createQueryBuilder(Recipient)
        .insert({ userId: input.userId, email: input.email, name: input.name, updatedAt: input.at })
        .onConflict('userId')
        .merge(['email', 'name', 'updatedAt'])
        .where({ updatedAt: { $lte: raw('excluded.updated_at') } })
        .execute('run');
    },

    /** The recipient, or UnknownRecipientError. */
    async require(userId: string): Promise<RecipientRecord> {
      const recipient = await em.findOne(Recipient, { userId: userId.toLowerCase() });
      if (!recipient) throw new UnknownRecipientError(userId);
      return recipient;
    },
  };
}

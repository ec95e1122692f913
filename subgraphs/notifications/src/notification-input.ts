import { z } from 'zod';
import { isUuid } from '@supergraph/db';
import { badUserInput } from '@supergraph/errors';
import {
  BODY_MAX,
  EMAIL_MAX,
  NOTIFICATION_KINDS,
  SUBJECT_MAX,
  type NotificationKind,
} from './notification.entity.ts';

/** What a caller (the events worker) asks to be sent: one message to one user because of one event. */
export interface NotifyInput {
  /** The event that caused it; with userId, it makes the message idempotent. */
  eventId: string;
  userId: string;
  /** The recipient's address, as the event carried it. */
  email: string;
  kind: NotificationKind;
  subject: string;
  body: string;
}

const uuid = (field: string) =>
  z
    .string({ error: `${field} must be a UUID` })
    .refine(isUuid, `${field} must be a UUID`)
    // One spelling per id, so the unique (event_id, user_id) cannot be dodged by case.
    .transform((value) => value.toLowerCase());

const notifyInput = z.object({
  eventId: uuid('eventId'),
  userId: uuid('userId'),
  email: z
    .string({ error: 'email must be a valid email address' })
    .trim()
    .pipe(
      z
        .email({ error: 'email must be a valid email address' })
        .max(EMAIL_MAX, `email must be at most ${EMAIL_MAX} characters`),
    ),
  kind: z.enum(NOTIFICATION_KINDS, { error: `kind must be one of ${NOTIFICATION_KINDS.join(', ')}` }),
  subject: z
    .string({ error: 'subject must not be blank' })
    .trim()
    .min(1, 'subject must not be blank')
    .max(SUBJECT_MAX, `subject must be at most ${SUBJECT_MAX} characters`)
    // A line break in a subject would end the mail header it is written into.
    .regex(/^[^\r\n]*$/, 'subject must be one line'),
  body: z
    .string({ error: 'body must not be blank' })
    .refine((body) => body.trim().length > 0, 'body must not be blank')
    .refine((body) => body.length <= BODY_MAX, `body must be at most ${BODY_MAX} characters`),
});

/** The input normalised, or BAD_USER_INPUT naming every wrong field at once. */
export function validateNotifyInput(input: NotifyInput): NotifyInput {
  const parsed = notifyInput.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  throw badUserInput(issues.map((issue) => issue.message).join('; '), {
    fields: [...new Set(issues.map((issue) => issue.path.join('.')))],
  });
}

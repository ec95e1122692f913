import type { Logger } from '@supergraph/logging';
import type { Env } from './env.ts';
import { createLogTransport } from './log-transport.ts';
import type { NotificationTransport } from './notification-transport.ts';
import { createSmtpTransport } from './smtp-transport.ts';
import { tracedTransport } from './traced-transport.ts';

/**
 * The adapter NOTIFICATION_TRANSPORT names; env.ts guarantees SMTP_URL when it is smtp. Both
 * composition roots use it: the API process and the events worker, which is the one that sends.
 */
export function transportFromEnv(env: Env, logger: Logger): NotificationTransport {
  if (env.NOTIFICATION_TRANSPORT === 'log') {
    return tracedTransport('log', createLogTransport(logger.child({ component: 'notification-transport' })));
  }
  if (!env.SMTP_URL) throw new Error('SMTP_URL is required when NOTIFICATION_TRANSPORT is smtp');
  return tracedTransport('smtp', createSmtpTransport({ url: env.SMTP_URL, from: env.SMTP_FROM }));
}

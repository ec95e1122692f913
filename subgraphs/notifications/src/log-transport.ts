import type { Logger } from '@supergraph/logging';
import type { NotificationTransport } from './notification-transport.ts';

/**
 * The development transport: each message becomes one structured log line, so a developer reads what
 * would have been mailed without running a mail server. Nothing leaves the process, so it never fails.
 */
export function createLogTransport(logger: Logger): NotificationTransport {
  return {
    send: async ({ to, subject, text, messageId }) => {
      logger.info({ notification: { messageId, to, subject, text } }, 'notification delivered to the log');
    },
    close: async () => {},
  };
}

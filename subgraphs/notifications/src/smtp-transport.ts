import { createTransport } from 'nodemailer';
import type { NotificationTransport } from './notification-transport.ts';

export interface SmtpTransportOptions {
  /** smtp:// (STARTTLS when offered) or smtps:// (TLS from the start), with credentials if any. */
  url: string;
  /** The From header and envelope sender, e.g. `Supergraph Shop <no-reply@shop.example>`. */
  from: string;
}

/** The right-hand side of every Message-ID: ours, whatever the From domain is. */
export const MESSAGE_ID_DOMAIN = 'supergraph.shop';

/**
 * Sends through an SMTP server over a small pool of kept-open connections. Nodemailer's timeouts are
 * minutes long by default; a queue worker would rather fail fast and retry with backoff, so they are
 * cut to seconds.
 */
export function createSmtpTransport(options: SmtpTransportOptions): NotificationTransport {
  const mailer = createTransport({
    url: options.url,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // Messages are plain text built from our templates: nothing may read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    send: async ({ to, subject, text, messageId }) => {
      await mailer.sendMail({
        from: options.from,
        to,
        subject,
        text,
        messageId: `<${messageId}@${MESSAGE_ID_DOMAIN}>`,
      });
    },
    close: async () => {
      mailer.close();
    },
  };
}

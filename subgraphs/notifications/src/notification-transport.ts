/** One message for one recipient, as the transport hands it on. */
export interface OutgoingMessage {
  /** The recipient's address. */
  to: string;
  subject: string;
  /** Plain text. */
  text: string;
  /**
   * Unique per notification and the same on every retry of it, so that a message sent twice (a sender
   * that crashed after the transport accepted it) is recognisable downstream as one message.
   */
  messageId: string;
}

/**
 * Where notifications go: the log in development, an SMTP server in compose and production. Delivery is
 * an outbound call, so it sits behind this interface and the composition root picks the adapter.
 */
export interface NotificationTransport {
  /** Resolves once the transport accepted the message; rejects when it did not (the caller retries). */
  send: (message: OutgoingMessage) => Promise<void>;
  /** Releases connections; messages already accepted are finished first. */
  close: () => Promise<void>;
}

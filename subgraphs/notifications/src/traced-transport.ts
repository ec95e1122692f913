import { SpanKind, withSpan } from '@supergraph/telemetry';
import type { NotificationTransport } from './notification-transport.ts';

/**
 * Each delivery as a client span of the work that sends it (the worker's job), so a trace shows the
 * message leaving and how long the transport took. The recipient's address stays out of the span.
 */
export function tracedTransport(
  name: 'log' | 'smtp',
  transport: NotificationTransport,
): NotificationTransport {
  return {
    send: (message) =>
      withSpan(
        '@supergraph/notifications',
        'send notification',
        {
          kind: SpanKind.CLIENT,
          attributes: { 'supergraph.transport': name, 'supergraph.notification.id': message.messageId },
        },
        () => transport.send(message),
      ),
    close: () => transport.close(),
  };
}

// The package entry (package.json "exports"): lets a process that runs several subgraphs (a local
// `npm start`, an end-to-end test) start this one or its events worker and reuse its domain code.
export { startNotificationsSubgraph, type NotificationsOverrides } from './app.ts';
export { startNotificationsWorker, type NotificationsWorkerOverrides } from './worker.ts';
export { createEventHandlers, type NotificationHandlerDeps } from './event-handlers.ts';
export { transportFromEnv } from './transport-from-env.ts';
export { envSchema, loadEnv, type Env } from './env.ts';
export {
  seed,
  SEED_EVENT_IDS,
  SEED_NOTIFICATION_IDS,
  SEED_NOTIFICATIONS,
  SEED_RECIPIENTS,
  seedNotifications,
  seedRecipients,
} from './seed.ts';
export {
  createRecipientDirectory,
  UnknownRecipientError,
  type RecipientInput,
} from './recipient-directory.ts';
export { Recipient, type RecipientRecord } from './recipient.entity.ts';
export { notificationIdFor } from './notification-id.ts';
export {
  createNotificationService,
  DEFAULT_CLAIM_TIMEOUT_MS,
  NotificationInFlightError,
  type NotificationService,
  type NotificationServiceOptions,
  type NotifyInput,
} from './notification.service.ts';
export type { NotificationTransport, OutgoingMessage } from './notification-transport.ts';
export { createLogTransport } from './log-transport.ts';
export { createSmtpTransport, MESSAGE_ID_DOMAIN, type SmtpTransportOptions } from './smtp-transport.ts';
export {
  formatMoney,
  orderCancelled,
  orderConfirmed,
  welcome,
  type Message,
  type MoneyAmount,
} from './messages.ts';
export { entities } from './entities.ts';
export {
  Notification,
  NOTIFICATION_KINDS,
  NOTIFICATION_STATUSES,
  type NotificationKind,
  type NotificationRecord,
  type NotificationStatus,
} from './notification.entity.ts';

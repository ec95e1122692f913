// The package entry (package.json "exports"): lets a process that runs several subgraphs (a local
// `npm start`, an end-to-end test, the events worker) start this one and reuse its domain code.
export { startNotificationsSubgraph, transportFromEnv, type NotificationsOverrides } from './app.ts';
export { envSchema, loadEnv, type Env } from './env.ts';
export { SEED_EVENT_IDS, SEED_NOTIFICATION_IDS, SEED_NOTIFICATIONS, seedNotifications } from './seed.ts';
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

// The package entry (package.json "exports"): lets a process that runs several subgraphs (a local
// `npm start`, an end-to-end test) start this one and its worker through their composition roots.
export { startPaymentsSubgraph, type PaymentsOverrides } from './app.ts';
export { startPaymentsWorker } from './worker.ts';
export { createEventHandlers, type EventHandlerDeps } from './event-handlers.ts';
export { envSchema, loadEnv, type Env } from './env.ts';
export { SEED_PAYMENT_IDS, SEED_PAYMENTS } from './seed.ts';
export {
  createPaymentService,
  type AuthorizeCommand,
  type AuthorizeOutcome,
  type PaymentService,
  type RefundOutcome,
} from './payment.service.ts';
export {
  guardPaymentProvider,
  type GuardedPaymentProvider,
  type ProviderCalls,
} from './guarded-payment-provider.ts';
export type {
  AuthorizationRequest,
  AuthorizationResult,
  PaymentProvider,
  RefundRequest,
} from './payment-provider.ts';
export { createFakePaymentProvider } from './fake-payment-provider.ts';
export { createStripePaymentProvider, type StripeProviderOptions } from './stripe-payment-provider.ts';

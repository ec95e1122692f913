// The package entry (package.json "exports"): lets a process that runs several subgraphs (a local
// `npm start`, an end-to-end test) start this one through its composition root, and the saga's worker
// (next issue) authorize through the same service and providers.
export { startPaymentsSubgraph, type PaymentsOverrides } from './app.ts';
export { envSchema, loadEnv, type Env } from './env.ts';
export { SEED_PAYMENT_IDS, SEED_PAYMENTS } from './seed.ts';
export {
  createPaymentService,
  type AuthorizeAtProvider,
  type AuthorizeCommand,
  type PaymentService,
} from './payment.service.ts';
export type { AuthorizationRequest, AuthorizationResult, PaymentProvider } from './payment-provider.ts';
export { createFakePaymentProvider } from './fake-payment-provider.ts';
export { createStripePaymentProvider, type StripeProviderOptions } from './stripe-payment-provider.ts';

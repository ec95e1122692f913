export {
  startSubgraphServer,
  type RequestContext,
  type RouteHandler,
  type SubgraphServer,
  type SubgraphServerOptions,
} from './subgraph-server.ts';
export { createErrorMasker, INTERNAL_ERROR_MESSAGE } from './error-masking.ts';
export { checkReadiness, type ReadinessCheck, type ReadinessReport } from './readiness.ts';
export { connectRedis, redisCheck } from './redis.ts';
export type { NonceStore } from './nonce-store.ts';
export { createInMemoryNonceStore, type InMemoryNonceStore } from './in-memory-nonce-store.ts';
export { createRedisNonceStore, DEFAULT_NONCE_KEY_PREFIX } from './redis-nonce-store.ts';
export { createFallbackNonceStore } from './fallback-nonce-store.ts';
export { stopOnSignals } from './lifecycle.ts';
export { loadTypeDefs } from './type-defs.ts';
export { executeGraphQL } from './graphql-http.ts';
export { answerEarly, DISCARD_LIMIT_BYTES, refuseEarly, type EarlyAnswerOptions } from './early-answer.ts';
export {
  header,
  instrumentedListener,
  parseJsonOrRefuse,
  readBodyOrRefuse,
  requestIdOf,
  sendGraphQLError,
  sendJson,
} from './http-io.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { inRequestSpan, operationSpanPlugin } from './request-span.ts';
export { DateTimeScalar } from './date-time-scalar.ts';
export {
  startDatabaseSubgraph,
  type DatabaseSubgraphOptions,
  type SubgraphEnv,
} from './database-subgraph.ts';
export { serveOperationalRoute, type OperationalRoutes } from './operational-routes.ts';

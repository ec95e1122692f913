export { createTestSchema, TEST_ADMIN_DATABASE_URL, TEST_DATABASE, type TestSchema } from './test-schema.ts';
export { createQueryCounter, type QueryCounter } from './query-counter.ts';
export type { GraphQLResult } from '@supergraph/identity';
export {
  startTestSubgraph,
  testEnv,
  TEST_INTERNAL_SECRET,
  type TestSubgraph,
  type TestEnv,
} from './test-subgraph.ts';
export { generateSigningKeyPem } from './signing-key.ts';
export { eventually } from './eventually.ts';
export {
  keepAliveClient,
  type KeepAliveAnswer,
  type KeepAliveClient,
  type KeepAliveRequest,
} from './keep-alive-client.ts';

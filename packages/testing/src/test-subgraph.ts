import type { Identity } from '@supergraph/identity';
import type { SubgraphServer } from '@supergraph/server-kit';
import { postSignedGraphQL, type GraphQLResult } from '@supergraph/identity';
import { createQueryCounter, type QueryCounter } from './query-counter.ts';
import { createTestSchema, type TestSchema } from './test-schema.ts';

export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789abcdef0123';

/** Environment variables as a subgraph's env.ts expects them, pointing at a throwaway schema. */
export type TestEnv = Record<string, string>;

export function testEnv(schema: TestSchema): TestEnv {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: schema.clientUrl,
    DATABASE_SCHEMA: schema.name,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    SEED_ON_START: 'false',
    // Queues keyed by the schema, so test files sharing one Redis never see each other's events; a
    // test that runs several subgraphs together gives them one prefix. Short delays keep tests quick.
    EVENT_QUEUE_PREFIX: schema.name,
    OUTBOX_POLL_MS: '200',
    OUTBOX_DELIVERY_CHECK_MS: '500',
    EVENT_BACKOFF_MS: '100',
    EVENT_LOCK_MS: '5000',
    WORKER_PORT: '0',
  };
}

export interface TestSubgraph {
  url: string;
  schema: TestSchema;
  /** SQL statements the subgraph sent; reset it before the operation you want to bound. */
  queries: QueryCounter;
  /** Runs an operation as the router would send it, as the given caller (anonymous by default). */
  run: <TData = Record<string, unknown>>(
    query: string,
    options?: { variables?: Record<string, unknown>; as?: Identity | null },
  ) => Promise<GraphQLResult<TData>>;
  /** Resolves entity references the way the router's query planner asks for them. */
  entities: <TEntity = Record<string, unknown>>(
    representations: Array<Record<string, unknown>>,
    selection: string,
    options?: { as?: Identity | null },
  ) => Promise<GraphQLResult<{ _entities: Array<TEntity | null> }>>;
  stop: () => Promise<void>;
}

/**
 * Starts a subgraph through its own start function on a free port, in a fresh schema, and returns
 * runners for operations and `_entities`. `stop` shuts the subgraph down and drops the schema.
 */
export async function startTestSubgraph(
  name: string,
  start: (env: TestEnv, hooks: { onQuery: (sql: string) => void }) => Promise<SubgraphServer>,
  options: { databaseAdminUrl?: string } = {},
): Promise<TestSubgraph> {
  const schema = await createTestSchema(name, options.databaseAdminUrl);
  const queries = createQueryCounter();
  let server: SubgraphServer;
  try {
    server = await start(testEnv(schema), { onQuery: queries.onQuery });
  } catch (error) {
    await schema.drop();
    throw error;
  }
  queries.reset();
  const run: TestSubgraph['run'] = (query, options = {}) =>
    postSignedGraphQL(server.url, TEST_INTERNAL_SECRET, { query, ...options });
  return {
    url: server.url,
    schema,
    queries,
    run,
    entities: (representations, selection, options = {}) =>
      run(
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
        {
          variables: { representations },
          ...options,
        },
      ),
    stop: async () => {
      await server.stop();
      await schema.drop();
    },
  };
}

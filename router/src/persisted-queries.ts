import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Redis } from 'ioredis';
import type { Logger } from '@supergraph/logging';
import { connectRedis } from '@supergraph/server-kit';
import type { Env } from './env.ts';
import { loadManifest } from './persisted-query-manifest.ts';
import { redisPersistedQueryStore } from './persisted-query-store.ts';
import { manifestStore, safelist } from './safelist.ts';

type PersistedQueriesEnv = Pick<
  Env,
  'PERSISTED_QUERIES' | 'PERSISTED_QUERY_MANIFEST' | 'APQ_TTL_SECONDS' | 'APQ_REDIS_URL' | 'APQ_KEY_PREFIX'
>;

export interface PersistedQueries {
  /** Spread into the ApolloServer options. */
  options: Pick<ApolloServerOptions<BaseContext>, 'persistedQueries'>;
  plugins: ApolloServerPlugin[];
  /** Closes a Redis connection of its own (APQ_REDIS_URL), if it opened one. */
  close: () => Promise<void>;
}

/**
 * Apollo answers a hash that does not match the text sent with it, or an unknown protocol version,
 * with a 400 but no code, which the error masker would turn into INTERNAL_SERVER_ERROR. Apollo Router's
 * codes for the same refusals, so the client can tell what it sent wrong.
 */
const CODES_BY_MESSAGE = new Map([
  ['provided sha does not match query', 'PERSISTED_QUERY_HASH_MISMATCH'],
  ['Unsupported persisted query version', 'PERSISTED_QUERY_VERSION_UNSUPPORTED'],
]);

const persistedQueryErrorCodes: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) {
          const code = CODES_BY_MESSAGE.get(error.message);
          if (code && error.extensions.code === undefined) Object.assign(error.extensions, { code });
        }
      },
    };
  },
};

/** The PERSISTED_QUERIES mode's Apollo options: Redis-backed APQ, the committed safelist, or neither. */
export async function persistedQueries(
  env: PersistedQueriesEnv,
  deps: { redis: Redis; logger: Logger },
): Promise<PersistedQueries> {
  const { logger } = deps;
  if (env.PERSISTED_QUERIES === 'off') {
    return { options: { persistedQueries: false }, plugins: [], close: async () => {} };
  }
  if (env.PERSISTED_QUERIES === 'safelist') {
    const operations = loadManifest(env.PERSISTED_QUERY_MANIFEST);
    logger.info(
      { manifest: env.PERSISTED_QUERY_MANIFEST, operations: operations.size },
      'safelist mode: only the manifest operations run',
    );
    return {
      options: { persistedQueries: { cache: manifestStore(operations) } },
      plugins: [persistedQueryErrorCodes, safelist(operations)],
      close: async () => {},
    };
  }
  const ownRedis = env.APQ_REDIS_URL ? await connectRedis(env.APQ_REDIS_URL) : undefined;
  return {
    options: {
      persistedQueries: {
        cache: redisPersistedQueryStore({
          redis: ownRedis ?? deps.redis,
          keyPrefix: env.APQ_KEY_PREFIX,
          logger,
        }),
        ttl: env.APQ_TTL_SECONDS,
      },
    },
    plugins: [persistedQueryErrorCodes],
    close: async () => {
      await ownRedis?.quit().catch(() => ownRedis.disconnect());
    },
  };
}

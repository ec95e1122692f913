import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { StartupError } from '@supergraph/config';
import { createLogger, type Logger } from '@supergraph/logging';
import {
  connectRedis,
  createMetrics,
  operationSpanPlugin,
  type RequestContext,
} from '@supergraph/server-kit';
import type { Env } from './env.ts';
import { createRouterErrorFormatter } from './error-formatting.ts';
import { createRouterHandler } from './http-handler.ts';
import { hideSchemaHints, operationLimits, tokenLimitMessage } from './operation-limits.ts';
import { persistedQueries, type PersistedQueries } from './persisted-queries.ts';
import { scheduleInWaves } from './plan-waves.ts';
import { createQueryPlanCache } from './query-plan-cache.ts';
import { createSubgraphBatcher } from './subgraph-batch.ts';
import { SubgraphDataSource } from './subgraph-data-source.ts';
import { createSubgraphFetcher, type SubgraphFetcher } from './subgraph-fetcher.ts';
import { withSingleFetchExecution } from './single-fetch-gateway.ts';
import { createSingleFetchPlans } from './single-fetch-plans.ts';
import { createSubgraphMetrics } from './subgraph-metrics.ts';
import { rateLimits } from './rate-limit.ts';
import { breakerOptions } from '@supergraph/resilience';
import { COMPOSE_HINT, supergraphFromFile } from './supergraph-file.ts';
import { createTokenVerifier } from './token-verifier.ts';

/** Single-fetch operations kept: well above the distinct operations of a shop's clients. */
const SINGLE_FETCH_OPERATIONS = 1000;

export interface Router {
  url: string;
  port: number;
  logger: Logger;
  /** Stops taking requests, finishes the ones under way, stops watching the supergraph, closes Redis. */
  stop: () => Promise<void>;
}

export interface RouterOverrides {
  logger?: Logger;
  /** How often the supergraph file is checked for a new version. */
  supergraphPollMs?: number;
  /** Run operations one subgraph answers alone without the gateway's executor (single-fetch-gateway.ts). */
  singleFetch?: boolean;
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new StartupError(`port ${port} is already in use`, 'stop the process using it or set PORT', {
              cause: error,
            })
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
}

/**
 * The router's composition root (DESIGN 6): the gateway serving the supergraph file inside Apollo Server
 * on Node's HTTP server, callers identified by their JWT, every subgraph call signed and bounded.
 */
export async function startRouter(env: Env, overrides: RouterOverrides = {}): Promise<Router> {
  const logger = overrides.logger ?? createLogger({ name: 'router', level: env.LOG_LEVEL });
  const production = env.NODE_ENV === 'production';
  const redis = await connectRedis(env.REDIS_URL);
  let persisted: PersistedQueries;
  try {
    persisted = await persistedQueries(env, { redis, logger });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const metrics = createMetrics('router');
  let supergraphLoaded = false;
  let stopping = false;

  const subgraphMetrics = createSubgraphMetrics(metrics.registry);
  // One fetcher, and so one breaker, per subgraph and URL, kept across supergraph reloads (the gateway
  // builds its data sources again on each): a reload must not reset an open circuit.
  const fetchers = new Map<string, SubgraphFetcher>();
  function fetcherFor(name: string, url: string): SubgraphFetcher['send'] {
    const key = `${name} ${url}`;
    let fetcher = fetchers.get(key);
    if (!fetcher) {
      fetcher = createSubgraphFetcher({
        name,
        url,
        secret: env.INTERNAL_SECRET,
        breaker: breakerOptions(env, 'SUBGRAPH'),
        pool: { connections: env.SUBGRAPH_CONNECTIONS, keepAliveMs: env.SUBGRAPH_KEEP_ALIVE_MS },
        logger,
        metrics: subgraphMetrics,
      });
      fetchers.set(key, fetcher);
    }
    return fetcher.send;
  }

  // Operations the gateway plans as one fetch, run without its executor (single-fetch-gateway.ts).
  const singleFetchPlans = createSingleFetchPlans({ maxOperations: SINGLE_FETCH_OPERATIONS });
  const canBatch = (name: string) => env.SUBGRAPH_BATCHING === 'all' || env.SUBGRAPH_BATCHING.has(name);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile({
      path: env.SUPERGRAPH_PATH,
      logger,
      intervalMs: overrides.supergraphPollMs,
    }),
    buildService: ({ name, url }) => {
      const target = env.SUBGRAPH_URLS[name] ?? url;
      if (!target) {
        throw new Error(`subgraph ${name} has no routing URL; set one in supergraph.yaml or SUBGRAPH_URLS`);
      }
      const send = fetcherFor(name, target);
      const batcher = canBatch(name)
        ? createSubgraphBatcher({ send, maxBytes: env.SUBGRAPH_BATCH_MAX_BYTES })
        : undefined;
      return new SubgraphDataSource({ url: target, send, batcher });
    },
    queryPlannerConfig: {
      cache: createQueryPlanCache({
        maxBytes: Math.max(1, Math.round(env.QUERY_PLAN_CACHE_MIB * 2 ** 20)),
        registry: metrics.registry,
        // Fetches a plan can start together start together, so each subgraph gets one request per wave.
        prepare: (plan) => scheduleInWaves(plan, canBatch),
      }),
    },
    experimental_didResolveQueryPlan: singleFetchPlans.learn,
    logger,
  });
  gateway.onSchemaLoadOrUpdate((update) => {
    supergraphLoaded = true;
    singleFetchPlans.useSupergraph(update);
  });

  const verifier = createTokenVerifier({
    jwksUrl: env.JWKS_URL,
    issuer: env.JWT_ISSUER,
    audience: env.JWT_AUDIENCE,
    cacheMaxAgeMs: env.JWKS_CACHE_MAX_AGE_MS,
    cooldownMs: env.JWKS_COOLDOWN_MS,
    cacheEntries: env.TOKEN_CACHE_ENTRIES,
    logger,
  });
  // The handler needs Apollo and Apollo's drain plugin needs the server: the listener is bound below.
  const httpServer = createServer();
  const apollo = new ApolloServer<RequestContext>({
    gateway:
      (overrides.singleFetch ?? true)
        ? withSingleFetchExecution(gateway, singleFetchPlans, metrics.registry)
        : gateway,
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    // Depth, aliases, directives, cost and tokens; no batching; CSRF prevention (operation-limits.ts).
    ...operationLimits(env),
    ...persisted.options,
    formatError: createRouterErrorFormatter(logger),
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      production
        ? ApolloServerPluginLandingPageDisabled()
        : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      metrics.plugin,
      // Names the request's span after the operation (`mutation PlaceOrder`), as Jaeger lists them.
      operationSpanPlugin,
      tokenLimitMessage,
      hideSchemaHints,
      // Before rate limits: an operation outside the safelist is refused without spending a budget.
      ...persisted.plugins,
      rateLimits({ env, redis, registry: metrics.registry, logger }),
    ],
  });

  try {
    await apollo.start();
  } catch (error) {
    redis.disconnect();
    await persisted.close();
    if (error instanceof StartupError) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new StartupError(`the supergraph at ${env.SUPERGRAPH_PATH} is not valid: ${reason}`, COMPOSE_HINT, {
      cause: error,
    });
  }

  httpServer.on(
    'request',
    createRouterHandler({
      apollo,
      verifier,
      logger,
      metrics,
      readiness: {
        supergraph: async () => {
          if (!supergraphLoaded) throw new Error('no supergraph loaded');
        },
        redis: async () => {
          await redis.ping();
        },
      },
      isStopping: () => stopping,
      bodyLimitBytes: env.MAX_BODY_BYTES,
      maxConcurrentOperations: env.MAX_CONCURRENT_OPERATIONS,
      maxQueuedOperations: env.MAX_QUEUED_OPERATIONS,
      trustClientTraceContext: env.TRUST_CLIENT_TRACE_CONTEXT,
    }),
  );
  try {
    await listen(httpServer, env.PORT, env.HOST);
  } catch (error) {
    await apollo.stop().catch(() => {});
    redis.disconnect();
    await persisted.close();
    throw error;
  }

  const { port } = httpServer.address() as AddressInfo;
  const displayHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  const url = `http://${displayHost}:${port}/`;
  logger.info({ url, sandbox: !production }, 'router ready');

  async function stop(): Promise<void> {
    stopping = true;
    // The drain plugin closes the listener and lets requests under way finish; the gateway's stop runs
    // the supergraph hook's cleanup, which stops watching the file.
    await apollo.stop();
    await Promise.all([...fetchers.values()].map((fetcher) => fetcher.shutdown()));
    await persisted.close();
    await redis.quit().catch((error: unknown) => {
      logger.error({ err: error }, 'error while closing Redis');
      // Without this ioredis keeps reconnecting to a Redis that is gone, and the process never exits.
      redis.disconnect();
    });
    logger.info('router stopped');
  }
  let stopped: Promise<void> | undefined;
  return { url, port, logger, stop: () => (stopped ??= stop()) };
}

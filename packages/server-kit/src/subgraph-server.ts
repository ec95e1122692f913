import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DocumentNode } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { verifyInternalRequest, type Identity, type VerifyResult } from '@supergraph/identity';
import type { Logger } from '@supergraph/logging';
import { subgraphApolloFeatures } from './apollo-features.ts';
import { createErrorMasker } from './error-masking.ts';
import { executeGraphQL } from './graphql-http.ts';
import {
  header,
  instrumentedListener,
  parseJsonOrRefuse,
  readBodyOrRefuse,
  requestIdOf,
  sendGraphQLError,
  sendJson,
} from './http-io.ts';
import { createInMemoryNonceStore } from './in-memory-nonce-store.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { NonceStore } from './nonce-store.ts';
import { serveOperationalRoute } from './operational-routes.ts';
import type { ReadinessCheck } from './readiness.ts';
import { inRequestSpan, operationSpanPlugin } from './request-span.ts';

/** What every resolver gets, whatever the subgraph adds to it. */
export interface RequestContext {
  /** The caller the router vouched for; null for an anonymous caller. */
  identity: Identity | null;
  requestId: string;
  logger: Logger;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface SubgraphServerOptions<TContext extends RequestContext> {
  name: string;
  typeDefs: DocumentNode;
  /** The subgraph's resolvers, typed by its codegen'd `Resolvers<Context>`. */
  resolvers: object;
  host: string;
  port: number;
  logger: Logger;
  /** Shared with the router: every GraphQL request must carry its signature. */
  internalSecret: string;
  /**
   * Remembers the nonce of each signed request accepted, to refuse it sent again. Share one (Redis)
   * between the replicas of a subgraph; by default it is this process's memory only.
   */
  nonces?: NonceStore;
  production: boolean;
  /** Dependencies /ready checks (Postgres, Redis). */
  readiness: Record<string, ReadinessCheck>;
  /** Builds the per-request context: an EntityManager fork, fresh DataLoaders, services. */
  createContext: (base: RequestContext) => TContext | Promise<TContext>;
  /** Public GET routes beside GraphQL (e.g. a JWKS document); they carry no identity. */
  routes?: Record<string, RouteHandler>;
  /** Closed in order after HTTP has drained (ORM, Redis, ...). */
  closers?: Array<() => Promise<unknown>>;
  bodyLimitBytes?: number;
  /** The process's metrics, when its composition root registers more of its own (an outbox relay). */
  metrics?: Metrics;
}

export interface SubgraphServer {
  url: string;
  port: number;
  logger: Logger;
  /** Stops taking requests, finishes the ones under way, then closes every dependency. */
  stop: () => Promise<void>;
}

const GRAPHQL_PATHS = new Set(['/graphql', '/']);

/**
 * A federation subgraph on Node's HTTP server: buildSubgraphSchema inside Apollo Server 5, with
 * /health, /ready, /metrics, the router's signature required on every GraphQL request (`_entities` and
 * `_service` included), each request in a span continuing the router's trace, errors masked to the
 * codes of DESIGN section 4, and a graceful stop.
 */
export async function startSubgraphServer<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<SubgraphServer> {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics(options.name);
  const bodyLimit = options.bodyLimitBytes ?? 1024 * 1024;
  const nonces = options.nonces ?? createInMemoryNonceStore();
  let stopping = false;

  const httpServer = createServer(instrumentedListener({ logger, metrics, routeLabel, handle }));

  function routeLabel(path: string): string {
    if (GRAPHQL_PATHS.has(path)) return '/graphql';
    return ['/health', '/ready', '/metrics', ...Object.keys(options.routes ?? {})].includes(path)
      ? path
      : 'other';
  }

  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema([
      { typeDefs: options.typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> },
    ]),
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    introspection: !options.production,
    // Only the router's signed requests get this far (handleGraphQL), and no browser can sign one.
    csrfPrevention: false,
    // The router sends the fetches one operation starts together as one JSON array (its
    // subgraph-batch.ts): they run with one context, so their DataLoaders are shared, and one
    // signature and one nonce cover the whole body.
    allowBatchedHttpRequests: true,
    formatError: createErrorMasker(logger),
    logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ...subgraphApolloFeatures(options.typeDefs),
      metrics.plugin,
      operationSpanPlugin,
    ],
  });
  await apollo.start();

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const operational = { readiness: options.readiness, metrics, isStopping: () => stopping };
    if (await serveOperationalRoute(path, res, operational)) return;
    const route = options.routes?.[path];
    if (route && req.method === 'GET') return route(req, res);
    if (!GRAPHQL_PATHS.has(path)) return sendJson(res, 404, { error: 'not found' });
    return inRequestSpan(options.name, req, res, () => handleGraphQL(req, res));
  }

  async function handleGraphQL(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBodyOrRefuse(req, res, bodyLimit);
    if (body === undefined) return;
    const verified = await verifySignature(req, body);
    if (!verified.ok) {
      logger.warn(
        { reason: verified.reason, remote: req.socket.remoteAddress },
        'refused an unsigned request',
      );
      return sendGraphQLError(
        res,
        401,
        'UNAUTHENTICATED',
        `This subgraph only serves the router: ${verified.reason}.`,
      );
    }
    const parsed = parseJsonOrRefuse(res, body);
    if (!parsed.ok) return;
    const requestId = requestIdOf(req);
    await executeGraphQL(apollo, req, res, parsed.value, async () =>
      options.createContext({
        identity: verified.identity,
        requestId,
        logger: logger.child({ requestId, userId: verified.identity?.userId }),
      }),
    );
  }

  /** The signature first; only a request whose signature holds spends a trip to the nonce store. */
  async function verifySignature(req: IncomingMessage, body: string): Promise<VerifyResult> {
    const verified = verifyInternalRequest(options.internalSecret, {
      header: (name) => header(req, name),
      search: new URL(req.url ?? '/', 'http://localhost').search,
      body,
    });
    if (!verified.ok || (await nonces.claim(verified.nonce, verified.rememberForMs))) return verified;
    return { ok: false, reason: 'replayed internal signature' };
  }

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const displayHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  const url = `http://${displayHost}:${port}/graphql`;
  logger.info({ url }, `${options.name} subgraph ready`);

  let stopped: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopping = true;
    // Apollo's drain plugin closes the listener, lets requests under way finish, then closes idle sockets.
    await apollo.stop();
    for (const close of options.closers ?? []) {
      await close().catch((error: unknown) =>
        logger.error({ err: error }, 'error while closing a dependency'),
      );
    }
    logger.info(`${options.name} subgraph stopped`);
  }
  return { url, port, logger, stop: () => (stopped ??= stop()) };
}

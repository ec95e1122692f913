import { isIP } from 'node:net';
import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';
import type { Logger } from '@supergraph/logging';
import type { RequestContext } from '@supergraph/server-kit';
import type { Env } from './env.ts';

type RateLimitEnv = Pick<
  Env,
  | 'RATE_LIMIT_QUERIES_PER_MINUTE'
  | 'RATE_LIMIT_MUTATIONS_PER_MINUTE'
  | 'RATE_LIMIT_KEY_PREFIX'
  | 'TRUSTED_PROXY_HOPS'
>;

type Budget = 'query' | 'mutation';

const WINDOW_SECONDS = 60;

/**
 * Redis answers in well under a millisecond on the cluster network; a check that takes longer than this
 * means Redis is in trouble, and a caller should not wait on it.
 */
const REDIS_TIMEOUT_MS = 250;

/**
 * What a caller's operation costs. A query is one point: what it asks of the subgraphs is bounded by
 * MAX_COST already. A mutation is one point per field at its root, aliases and fragments included,
 * since each one runs (`{ a: placeOrder(...) b: placeOrder(...) }` places two orders). The same field
 * repeated without an alias counts once, because GraphQL merges it into one field that runs once.
 * `@skip`/`@include` are not evaluated: a field that might run is counted.
 */
function operationPoints(operation: OperationDefinitionNode, document: DocumentNode): number {
  if (operation.operation !== 'mutation') return 1;
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition.selectionSet);
    }
  }
  const responseKeys = new Set<string>();
  const spread = new Set<string>();
  const collect = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value !== '__typename')
          responseKeys.add((selection.alias ?? selection.name).value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!spread.has(selection.name.value)) {
        spread.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment);
      }
    }
  };
  collect(operation.selectionSet);
  return Math.max(1, responseKeys.size);
}

/**
 * One key per network for IPv6: a home or a phone gets a whole /64 and can pick a new address in it
 * for every request. IPv4 clients of a dual-stack listener arrive as `::ffff:a.b.c.d`.
 */
function normalizeAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const bare = address.replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return bare;
  if (version !== 6) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return mapped[1];
  const [head = '', tail] = bare.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = groups(tail ?? '');
  // A trailing dotted IPv4 part is two groups; it never reaches the first four.
  const width = left.length + right.length + (right.at(-1)?.includes('.') ? 1 : 0);
  const full = tail === undefined ? left : [...left, ...Array<string>(8 - width).fill('0'), ...right];
  return `${full
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * The caller's address: the peer of the connection, unless `hops` proxies of ours stand in front. Each
 * of them appends the address it saw to X-Forwarded-For, so the entry `hops` from the right end (the
 * peer counted as the last entry) is the client as our outermost proxy saw it; anything to its left
 * was written by the client and is ignored. An entry that is not an address counts as the peer's.
 */
function clientAddress(peer: string | undefined, forwardedFor: string | undefined, hops: number): string {
  const chain = hops > 0 && forwardedFor ? forwardedFor.split(',').map((entry) => entry.trim()) : [];
  chain.push(peer ?? '');
  const candidate = chain[Math.max(0, chain.length - 1 - hops)];
  return normalizeAddress(candidate) ?? normalizeAddress(peer) ?? 'unknown';
}

/**
 * Whose budget an operation comes out of: the signed-in user's, wherever they connect from, or the
 * address's. The connection's peer is put on the context by http-handler.ts.
 */
function callerOf(context: RequestContext, forwardedFor: string | undefined, hops: number): string {
  if (context.identity) return `user:${context.identity.userId}`;
  const peer =
    'clientAddress' in context && typeof context.clientAddress === 'string'
      ? context.clientAddress
      : undefined;
  return `ip:${clientAddress(peer, forwardedFor, hops)}`;
}

function refusal(budget: Budget, msBeforeNext: number): GraphQLError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const operations = budget === 'mutation' ? 'mutations' : 'queries';
  return new GraphQLError(
    `Too many ${operations}; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`,
    {
      extensions: {
        code: 'RATE_LIMITED',
        http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) },
      },
    },
  );
}

/**
 * Rate limits per caller (DESIGN 6), checked once the operation is parsed and validated and before the
 * gateway plans it, so a refused operation reaches no subgraph. The caller is the signed-in user's id,
 * or the client's address for anyone else; queries and mutations have budgets of their own, so a
 * browsing session never stops someone from checking out. Over budget: 429, RATE_LIMITED and
 * Retry-After, counted in `rate_limit_rejections_total`.
 *
 * When Redis fails or is slow, each router instance keeps counting alone, in memory, with the same
 * budgets: callers are still served (failing closed would turn a Redis outage into a full outage) and
 * still limited (failing open would lift every limit exactly when someone can take advantage), at worst
 * getting the budget once per instance. The library's `insuranceLimiter` does the same silently; done
 * here so the switch is logged and counted in `rate_limit_store_errors_total`.
 */
export function rateLimits(options: {
  env: RateLimitEnv;
  redis: Redis;
  registry: Registry;
  logger: Logger;
}): ApolloServerPlugin<RequestContext> {
  const { env, redis, registry, logger } = options;

  const limiters = (budget: Budget, points: number) => ({
    points,
    shared: new RLWrapperTimeouts({
      limiter: new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${env.RATE_LIMIT_KEY_PREFIX}:${budget}`,
        points,
        duration: WINDOW_SECONDS,
        // The client fails commands at once while disconnected; this skips even sending them.
        rejectIfRedisNotReady: true,
      }),
      timeoutMs: REDIS_TIMEOUT_MS,
    }),
    local: new RateLimiterMemory({ keyPrefix: budget, points, duration: WINDOW_SECONDS }),
  });
  const budgets = {
    query: limiters('query', env.RATE_LIMIT_QUERIES_PER_MINUTE),
    mutation: limiters('mutation', env.RATE_LIMIT_MUTATIONS_PER_MINUTE),
  };

  const rejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Operations refused with RATE_LIMITED, by budget (query or mutation)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'rate_limit_store_errors_total',
    help: 'Rate limit checks counted in this instance alone because Redis failed or was slow',
    registers: [registry],
  });
  let redisFailing = false;

  /** Takes `points` from the caller's budget; the refusal when there are not enough left. */
  async function consume(
    budget: Budget,
    caller: string,
    points: number,
  ): Promise<RateLimiterRes | undefined> {
    const { shared, local } = budgets[budget];
    try {
      await shared.consume(caller, points);
      if (redisFailing) {
        redisFailing = false;
        logger.info('rate limits are counted in Redis again');
      }
      return undefined;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return outcome;
      storeErrors.inc();
      if (!redisFailing) {
        redisFailing = true;
        logger.error(
          { err: outcome },
          'rate limits cannot be counted in Redis; each router instance counts them alone until it is back',
        );
      }
    }
    try {
      await local.consume(caller, points);
      return undefined;
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return outcome;
      throw outcome;
    }
  }

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue, request }) {
          // Apollo refuses a request whose operation it cannot pick before this hook; typed loosely.
          if (!operation) return;
          const budget: Budget = operation.operation === 'mutation' ? 'mutation' : 'query';
          const points = operationPoints(operation, document);
          const forwardedFor = request.http?.headers.get('x-forwarded-for');
          const caller = callerOf(contextValue, forwardedFor, env.TRUSTED_PROXY_HOPS);
          const refused = await consume(budget, caller, points);
          if (!refused) return;
          rejections.inc({ kind: budget });
          // Logged once per caller and window, when the caller first goes over; the metric counts the rest.
          if (refused.consumedPoints - points <= budgets[budget].points) {
            contextValue.logger.warn({ caller, budget }, `caller is over the ${budget} rate limit`);
          }
          throw refusal(budget, refused.msBeforeNext);
        },
      };
    },
  };
}

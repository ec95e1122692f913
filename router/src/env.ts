import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { baseEnv, parseEnv } from '@supergraph/config';
import { breakerEnv } from '@supergraph/resilience';

const SUBGRAPH_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const WORKERS = { error: 'must be a whole number from 1 to 64, or auto' };

/** A limit: a whole number of at least 1, since 0 would refuse every request. */
const limit = (byDefault: number) => z.coerce.number().int().min(1).default(byDefault);

/**
 * `name=url,name=url`: where each subgraph really is when that differs from the routing URLs composed
 * into the supergraph (containers reach each other by service name, not localhost).
 */
const subgraphUrls = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const urls: Record<string, string> = {};
    for (const entry of (value ?? '').split(',').map((part) => part.trim())) {
      if (entry === '') continue;
      const separator = entry.indexOf('=');
      const name = entry.slice(0, separator).trim();
      const url = entry.slice(separator + 1).trim();
      if (
        separator < 1 ||
        !SUBGRAPH_NAME.test(name) ||
        !URL.canParse(url) ||
        !/^https?:$/.test(new URL(url).protocol)
      ) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not name=http(s)://host:port/path` });
        continue;
      }
      urls[name] = url;
    }
    return urls;
  });

/**
 * `all`, `none`, or `name,name`: the subgraphs that take a GraphQL-over-HTTP batch (a JSON array of
 * operations, answered with an array), as every subgraph built on our server kit does.
 */
const subgraphBatching = z
  .string()
  .default('all')
  .transform((value, ctx): 'all' | ReadonlySet<string> => {
    const setting = value.trim();
    if (setting === 'all') return 'all';
    if (setting === 'none' || setting === '') return new Set();
    const names = setting.split(',').map((part) => part.trim());
    for (const name of names.filter((name) => !SUBGRAPH_NAME.test(name))) {
      ctx.addIssue({
        code: 'custom',
        message: `"${name}" is not a subgraph name; use all, none or name,name`,
      });
    }
    return new Set(names);
  });

export const envSchema = z.object({
  ...baseEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  // Router processes sharing PORT (cluster.ts): `auto` is one per core this process may use. 1, the
  // default, runs no cluster: on Kubernetes a replica is the unit of scale, and a pod runs one process.
  ROUTER_WORKERS: z
    .preprocess(
      (value) => (value === 'auto' ? Math.min(64, availableParallelism()) : value),
      z.coerce.number(WORKERS).int(WORKERS).min(1, WORKERS).max(64, WORKERS),
    )
    .default(1),
  SUPERGRAPH_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url))),
  JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the users subgraph JWKS document' })
    .default('http://127.0.0.1:4001/.well-known/jwks.json'),
  JWT_ISSUER: z.string().min(1).default('supergraph-users'),
  JWT_AUDIENCE: z.string().min(1).default('supergraph'),
  // Signing keys are cached this long; a token naming a key id not in the cache fetches the set again,
  // at most once per cooldown. Rotation: publish the new key, start signing with it, drop the old key
  // once its tokens have expired; the router needs no restart and stops accepting the old key within
  // the cache age.
  JWKS_CACHE_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 60_000),
  JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
  // Verified tokens remembered, so a client's next request with the same token skips the signature
  // check (token-verifier.ts says when a remembered one still counts); 0 checks every request. An entry
  // is about 1 KB.
  TOKEN_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(10_000),
  SUBGRAPH_URLS: subgraphUrls,
  // Each subgraph's timeout and circuit breaker: SUBGRAPH_TIMEOUT_MS, SUBGRAPH_BREAKER_ERROR_PERCENT,
  // SUBGRAPH_BREAKER_RESET_MS and SUBGRAPH_BREAKER_VOLUME (calls in the window before it may open, so one
  // failure never opens it).
  ...breakerEnv('SUBGRAPH', {
    timeoutMs: 10_000,
    errorThresholdPercentage: 50,
    resetTimeoutMs: 10_000,
    volumeThreshold: 10,
  }),
  // Each subgraph's keep-alive pool (subgraph-fetcher.ts): at most this many connections at once (more
  // concurrent calls wait for one), each kept idle this long for the next call. Keep-alive must stay
  // below the subgraphs' own idle timeout (Node's 5 s), or a call may land on a closing connection.
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(128),
  SUBGRAPH_KEEP_ALIVE_MS: z.coerce.number().int().min(100).max(60_000).default(4_000),
  // Subgraphs sent the fetches one operation starts together as one batched request (plan-waves.ts,
  // subgraph-batch.ts): every subgraph by default, as ours all take batches. A subgraph that does not
  // (Apollo Server without allowBatchedHttpRequests answers 400) must be left out: `none`, or the
  // names of those that do. A batch is split above SUBGRAPH_BATCH_MAX_BYTES, which must stay below the
  // subgraphs' body limit (1 MiB in our server kit).
  SUBGRAPH_BATCHING: subgraphBatching,
  SUBGRAPH_BATCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 2 ** 20)
    .default(256 * 1024),
  // Query plans kept by operation, in MiB of serialized plan (the gateway's default size); the plans of
  // router/operations take 0.2-1.4 KB each, so the default holds over 20,000 operations. Watch
  // router_query_plan_cache_lookups_total{result="miss"}: misses after warm-up mean it is too small.
  QUERY_PLAN_CACHE_MIB: z.coerce.number().positive().max(4096).default(30),
  // Admission (http-handler.ts): operations executing at once in this process, and how many may wait
  // for a turn before the router answers 503 SERVICE_UNAVAILABLE with Retry-After. One core is busy
  // with a few dozen; the bound keeps the heap, and so the process's memory, bounded under any number
  // of clients (docs/benchmarks.md measures it).
  MAX_CONCURRENT_OPERATIONS: z.coerce.number().int().min(1).max(10_000).default(32),
  MAX_QUEUED_OPERATIONS: z.coerce.number().int().min(0).max(100_000).default(2_000),
  // What one request may ask for, refused before any subgraph is called (operation-limits.ts). Each
  // default leaves room above the largest operation the shop's API is built to serve.
  // Depth: a user's orders down to an item's product price is 8 levels; 10 allows that and stops
  // cycles (order → payment → order → user → orders ...) nested to multiply work.
  MAX_DEPTH: limit(10),
  // Aliases: a screen rarely asks for the same field more than a few times; 15 stops one request
  // repeating an expensive field (or a login mutation, to guess passwords) hundreds of times.
  MAX_ALIASES: limit(15),
  // Directives: @include/@skip on a few fields per screen; 50 stops documents made of thousands of
  // directives, which cost validation time without selecting anything.
  MAX_DIRECTIVES: limit(50),
  // Cost (graphql-armor's model, see operation-limits.ts): `orders(first: 20)`, the default page, with
  // each order's payment, items and products costs about 6000; `products(first: 100)`, the largest
  // page, with stock and shipping about 7800. 10000 admits both and refuses a page nested in a page.
  MAX_COST: limit(10_000),
  // Tokens: Sandbox's introspection query, the longest document a client sends here, is about 200;
  // 2000 leaves room for large hand-written operations and bounds the parser's work, as it stops there.
  MAX_TOKENS: limit(2000),
  // Body: operations are a few kilobytes; 100 KB leaves room for large variables, and a bigger body
  // is refused with 413 as soon as that much has arrived, never buffered whole or parsed.
  MAX_BODY_BYTES: limit(100 * 1024),
  // Rate limits per caller (rate-limit.ts): a signed-in user by user id, anyone else by address, each
  // counted in Redis so that all router instances share one budget per caller, per one-minute window.
  // Queries: a storefront page loads with 3 to 10 operations and search-as-you-type adds a few a
  // second; 600 (10 a second, sustained for a minute) is far above a person browsing fast and still
  // stops a scraper or a retry loop.
  RATE_LIMIT_QUERIES_PER_MINUTE: limit(600),
  // Mutations, one point per mutation field (aliases each count): a shopper adds to the cart, checks
  // out and edits the address a few times a minute; 60 leaves room for that and bounds scripted use
  // (card testing at checkout, password guessing at login) to one a second per caller.
  RATE_LIMIT_MUTATIONS_PER_MINUTE: limit(60),
  // Where the counters live in Redis. Routers sharing a Redis and a prefix share the budgets.
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).default('router:rate-limit'),
  // Persisted queries. `apq` (automatic persisted queries): a client sends an operation's sha256, and
  // its text only the first time; the text is kept in Redis so every replica knows it, and GET requests
  // by hash become cacheable. `safelist`: only the operations in PERSISTED_QUERY_MANIFEST run, by id or
  // by identical text, and clients cannot add any; for a public API whose clients are all ours. `off`.
  PERSISTED_QUERIES: z.enum(['apq', 'safelist', 'off']).default('apq'),
  PERSISTED_QUERY_MANIFEST: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../persisted-queries.json', import.meta.url))),
  // A registered query is kept a day after it was last registered; a client whose hash expired gets
  // PERSISTED_QUERY_NOT_FOUND and sends the text again, so this bounds memory, not correctness.
  APQ_TTL_SECONDS: limit(24 * 60 * 60),
  // Where registered queries live. By default the router's Redis (REDIS_URL), which in production is
  // the queues' Redis with `noeviction`; a busy public API should point this at a cache Redis with
  // `maxmemory-policy allkeys-lru` so that registrations can never fill the queues' memory.
  // Validated as REDIS_URL is, without its default: unset means REDIS_URL.
  APQ_REDIS_URL: baseEnv.REDIS_URL.unwrap().optional(),
  APQ_KEY_PREFIX: z.string().min(1).default('router:'),
  // How many proxies of ours (load balancer, ingress) stand in front of the router, each appending the
  // address it saw to X-Forwarded-For. 0 (no proxy): the header is ignored, since any client can write
  // it; N: the address the outermost of our N proxies saw is the caller's, and what the client wrote
  // before it is ignored.
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  // Whether the router continues a client's `traceparent`: its trace id, and its sampled flag, which
  // would make every process record the request whatever OTEL_TRACES_SAMPLER says. Any client can
  // send one, so by default the router starts a trace of its own for each request, sampled by its
  // own sampler, and links it to the client's; `true` only where every client is a traced service of
  // ours (or an ingress drops the header from anyone else).
  TRUST_CLIENT_TRACE_CONTEXT: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export type Env = z.output<typeof envSchema>;

/** The process's own environment by default; tests pass theirs. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}

import { STATUS_CODES } from 'node:http';
import { GraphQLError } from 'graphql';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { RequestContext } from '@supergraph/server-kit';
import { dedupeRepresentations, expandEntities, type GatewayGraphQLResponse } from './entity-dedup.ts';
import { parseBody, sendAlone, type OperationAnswer, type SubgraphBatcher } from './subgraph-batch.ts';
import type { SubgraphAnswer, SubgraphFetcher } from './subgraph-fetcher.ts';

type Options = GraphQLDataSourceProcessOptions<Partial<RequestContext>>;

/** A cache hint as Apollo Server's cache policy takes it. */
interface CacheHint {
  maxAge: number;
  scope?: 'PUBLIC' | 'PRIVATE';
}

/**
 * A subgraph as the gateway sees it: does what @apollo/gateway's RemoteGraphQLDataSource does for a
 * subgraph fetch, minus the WHATWG Request and Headers it builds around every call and never reads.
 * The context is the router's own: the identity the router verified, never anything the client
 * claimed. Health checks and schema loading run without one, hence Partial. With a batcher, the
 * fetches one client operation starts together go to the subgraph as one request (subgraph-batch.ts).
 */
export class SubgraphDataSource implements GraphQLDataSource<Partial<RequestContext>> {
  readonly url: string;
  readonly #send: SubgraphFetcher['send'];
  readonly #batcher: SubgraphBatcher | undefined;

  constructor(options: { url: string; send: SubgraphFetcher['send']; batcher?: SubgraphBatcher }) {
    this.url = options.url;
    this.#send = options.send;
    this.#batcher = options.batcher;
  }

  /** Sends each distinct entity representation once (entity-dedup.ts). */
  async process(options: Options): Promise<GatewayGraphQLResponse> {
    const representations = options.request.variables?.representations;
    if (!Array.isArray(representations)) return this.#fetch(options, options.request.variables);
    const { unique, indexOf } = dedupeRepresentations(representations);
    if (unique.length === representations.length) return this.#fetch(options, options.request.variables);
    const response = await this.#fetch(options, { ...options.request.variables, representations: unique });
    return expandEntities(response, indexOf);
  }

  async #fetch(
    options: Options,
    variables: Options['request']['variables'],
  ): Promise<GatewayGraphQLResponse> {
    const { query, operationName, extensions } = options.request;
    if (!query) throw new Error('Missing query');
    const context = options.context as Partial<RequestContext>;
    const operation = JSON.stringify({ query, variables, operationName, extensions });
    const caller = { identity: context.identity ?? null, requestId: context.requestId };
    // A client operation's fetches may share a request; health checks and schema loads go alone.
    const { answer, body: read }: OperationAnswer =
      this.#batcher && 'incomingRequestContext' in options
        ? await this.#batcher.submit(options.incomingRequestContext, operation, caller)
        : await sendAlone(this.#send, operation, caller);
    if (answer.status < 200 || answer.status >= 300) throw this.#errorFrom(answer);
    const body = read();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new Error(`Expected JSON response body, but received: ${String(body)}`);
    }
    // Only a client's operation has a response whose cache policy the subgraph's answer restricts. A
    // batch's Cache-Control is the most restrictive of its operations' (Apollo Server's cache control
    // plugin combines them), and all of them belong to this client operation: the policy ends the same.
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy;
      if (policy && 'restrict' in policy) policy.restrict(cacheHint(answer.headers['cache-control']));
    }
    return body as GatewayGraphQLResponse;
  }

  /**
   * A subgraph answers 401 or 403 only when it refuses the router's signature: a deployment fault (the
   * two disagree on INTERNAL_SECRET), not something the caller did, so it must not reach them as
   * UNAUTHENTICATED. The error masker logs this message and shows the caller a generic one. Any other
   * status below 500 (5xx fail in the fetcher, against the breaker) is reported as the gateway does.
   */
  #errorFrom(answer: SubgraphAnswer): GraphQLError {
    if (answer.status === 401 || answer.status === 403) {
      return new GraphQLError(
        `subgraph at ${this.url} refused the router's request (${answer.status}); check that both share INTERNAL_SECRET`,
        { extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      );
    }
    const statusText = STATUS_CODES[answer.status] ?? '';
    let body: unknown;
    try {
      body = parseBody(answer);
    } catch {
      body = answer.body;
    }
    return new GraphQLError(`${answer.status}: ${statusText}`, {
      extensions: { response: { url: this.url, status: answer.status, statusText, body } },
    });
  }
}

/**
 * What a subgraph's Cache-Control allows the whole response: its max-age and scope, and no caching
 * without one (the gateway's rule: the response is as cacheable as its least cacheable part).
 */
function cacheHint(header: string | string[] | undefined): CacheHint {
  const hint: CacheHint = { maxAge: 0 };
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return hint;
  const directives = new Map<string, string | true>();
  for (const part of value.trim().split(/\s*,\s*/)) {
    const [name = '', argument] = part.split(/\s*=\s*/, 2);
    directives.set(name, argument === undefined ? true : argument.replace(/^"|"$/g, ''));
  }
  const maxAge = directives.get('max-age');
  if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = Number(maxAge);
  if (directives.get('private') === true) hint.scope = 'PRIVATE';
  if (directives.get('public') === true) hint.scope = 'PUBLIC';
  return hint;
}

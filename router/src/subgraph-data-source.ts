import { GraphQLError } from 'graphql';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { IDENTITY_HEADERS } from '@supergraph/identity';
import type { RequestContext } from '@supergraph/server-kit';
import { dedupeRepresentations, expandEntities } from './entity-dedup.ts';
import { SUBGRAPH_UNAVAILABLE_MESSAGE } from './subgraph-fetcher.ts';

type SubgraphResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];

/**
 * A subgraph as the gateway sees it. The context is the router's own: the identity the router
 * verified, never anything the client claimed. Health checks run without one, hence Partial.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<Partial<RequestContext>> {
  /**
   * Starts every subgraph request from empty headers: no client header reaches a subgraph (an
   * `x-supergraph-user-id` a client sent included). The fetcher signs what is set here and adds the
   * `traceparent` of its own span, never the client's.
   */
  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<Partial<RequestContext>>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    for (const [name] of [...headers]) headers.delete(name);
    headers.set('content-type', 'application/json');
    if (context.requestId) headers.set('x-request-id', context.requestId);
    if (context.identity) {
      headers.set(IDENTITY_HEADERS.userId, context.identity.userId);
      headers.set(IDENTITY_HEADERS.role, context.identity.role);
    }
  }

  /** Sends each distinct entity representation once (entity-dedup.ts). */
  override async process(options: GraphQLDataSourceProcessOptions<Partial<RequestContext>>) {
    const representations = options.request.variables?.representations;
    if (!Array.isArray(representations)) return super.process(options);
    const { unique, indexOf } = dedupeRepresentations(representations);
    if (unique.length === representations.length) return super.process(options);
    const variables = { ...options.request.variables, representations: unique };
    const response = await super.process({ ...options, request: { ...options.request, variables } });
    return expandEntities(response, indexOf);
  }

  /**
   * A subgraph answers 401 only when it refuses the router's signature: a deployment fault (the two
   * disagree on INTERNAL_SECRET), not something the caller did, so it must not reach them as
   * UNAUTHENTICATED. The error masker logs this message and shows the caller a generic one.
   */
  override async errorFromResponse(response: SubgraphResponse): Promise<GraphQLError> {
    if (response.status === 401 || response.status === 403) {
      return new GraphQLError(
        `subgraph at ${this.url} refused the router's request (${response.status}); check that both share INTERNAL_SECRET`,
        { extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      );
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      return new GraphQLError(SUBGRAPH_UNAVAILABLE_MESSAGE, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    }
    return super.errorFromResponse(response);
  }
}

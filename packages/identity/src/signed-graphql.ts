import { signInternalRequest, type Identity } from './internal-signature.ts';

export interface GraphQLResult<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface SignedGraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
  /** Whom the call is made for; null for an anonymous (or service) caller. */
  as?: Identity | null;
  signal?: AbortSignal;
}

/**
 * POSTs a GraphQL operation straight to a subgraph the way the router does, the identity signed with the
 * internal secret. For service-to-service calls (orders pricing an order at products) and tests.
 */
export async function postSignedGraphQL<TData = Record<string, unknown>>(
  url: string,
  secret: string,
  request: SignedGraphQLRequest,
): Promise<GraphQLResult<TData>> {
  const body = JSON.stringify({ query: request.query, variables: request.variables ?? {} });
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signInternalRequest(secret, { identity: request.as ?? null, body }),
    },
    body,
    signal: request.signal,
  });
  const json = (await response.json()) as Omit<GraphQLResult<TData>, 'status'>;
  return { status: response.status, ...json };
}

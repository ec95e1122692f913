import { signInternalRequest, type Identity } from '@supergraph/identity';

export interface GraphQLResult<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

/** POSTs a GraphQL request to a subgraph the way the router does: identity signed with the secret. */
export async function signedPost<TData = Record<string, unknown>>(
  url: string,
  secret: string,
  request: { query: string; variables?: Record<string, unknown>; as?: Identity | null },
): Promise<GraphQLResult<TData>> {
  const body = JSON.stringify({ query: request.query, variables: request.variables ?? {} });
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...signInternalRequest(secret, { identity: request.as ?? null, body }),
    },
    body,
  });
  const json = (await response.json()) as Omit<GraphQLResult<TData>, 'status'>;
  return { status: response.status, ...json };
}

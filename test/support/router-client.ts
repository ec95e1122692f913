export interface Result<TData = Record<string, unknown>> {
  status: number;
  data?: TData | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export type RouterClient = <TData = Record<string, unknown>>(
  query: string,
  options?: { variables?: object; token?: string; headers?: Record<string, string> },
) => Promise<Result<TData>>;

/** Sends operations to the router at `url` as a client would, signed in when given a token. */
export function routerClient(url: string): RouterClient {
  return async (query, options = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: JSON.stringify({ query, variables: options.variables ?? {} }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  };
}

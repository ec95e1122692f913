import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getIntrospectionQuery } from 'graphql';
import { startRouter } from '../src/app.ts';
import { post, routerTestEnv, type RouterResult } from './support/router-env.ts';
import { WHOAMI_TYPE_DEFS } from './support/whoami-subgraph.ts';
import { startWhoamiStack, type WhoamiStack } from './support/whoami-stack.ts';

/**
 * The supergraph also declares `callers(role: Role)`, which the whoami subgraph does not serve: a Role
 * variable that fails to coerce must be refused by the router itself, or the subgraph would see it.
 */
const TYPE_DEFS = WHOAMI_TYPE_DEFS.replace(
  'ping: String',
  'ping: String\n    callers(role: Role): [Caller!]',
);

let stack: WhoamiStack;
let graphql: string;

beforeAll(async () => {
  stack = await startWhoamiStack(TYPE_DEFS);
  ({ graphql } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * Operations the whoami subgraph has executed, from its own /metrics. Apollo records an operation
 * before the subgraph answers it, so the count is current once the router has answered.
 */
async function subgraphOperations(): Promise<number> {
  const text = await (await fetch(new URL('/metrics', stack.subgraph.url))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('graphql_operation_duration_seconds_count{'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Sends a request through the router and reports how many operations reached the subgraph for it. */
async function counted<T>(send: () => Promise<T>): Promise<{ result: T; subgraphCalls: number }> {
  const before = await subgraphOperations();
  const result = await send();
  return { result, subgraphCalls: (await subgraphOperations()) - before };
}

async function request(url: string, init: RequestInit): Promise<RouterResult> {
  const response = await fetch(url, init);
  return { status: response.status, ...((await response.json()) as Omit<RouterResult, 'status'>) };
}

/**
 * A selection `depth` levels deep with `leaves` fields at the bottom. The whoami schema is two levels
 * deep, so the levels come from the introspection types, which the router answers itself; the limits
 * count them like any other field.
 */
function nested(depth: number, leaves = 1): string {
  return `__type(name: "Caller") { ${'ofType { '.repeat(depth - 2)}${'name '.repeat(leaves)}${'} '.repeat(depth - 1)}`;
}

const aliases = (count: number) =>
  Array.from({ length: count }, (_, i) => `a${i}: whoami { userId }`).join(' ');

describe('operation limits, before any subgraph is called', () => {
  it("lets Sandbox introspect the schema in development, whatever the introspection query's depth", async () => {
    const result = await post(
      graphql,
      getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }),
    );
    expect(result.status).toBe(200);
    expect(result.errors).toBeUndefined();
    expect(result.data?.__schema).toMatchObject({ queryType: { name: 'Query' } });
  });

  it('accepts an operation 10 levels deep', async () => {
    const { result, subgraphCalls } = await counted(() =>
      post(graphql, `{ whoami { userId } ${nested(10)} }`),
    );
    expect(result).toEqual({ status: 200, data: { whoami: null, __type: { ofType: null } } });
    expect(subgraphCalls).toBe(1);
  });

  it('refuses an operation 11 levels deep', async () => {
    const { result, subgraphCalls } = await counted(() =>
      post(graphql, `{ whoami { userId } ${nested(11)} }`),
    );
    expect(result).toEqual({
      status: 400,
      errors: [
        {
          message: 'Query depth limit of 10 exceeded, found 11.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(subgraphCalls).toBe(0);
  });

  it('accepts 15 aliases and refuses 16', async () => {
    const accepted = await counted(() => post(graphql, `{ ${aliases(15)} }`));
    expect(accepted.result.errors).toBeUndefined();
    expect(accepted.subgraphCalls).toBe(1);

    const { result, subgraphCalls } = await counted(() => post(graphql, `{ ${aliases(16)} }`));
    expect(result).toEqual({
      status: 400,
      errors: [
        {
          message: 'Aliases limit of 15 exceeded, found 16.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(subgraphCalls).toBe(0);
  });

  it('refuses a document of more than 2000 tokens without parsing the rest', async () => {
    const { result, subgraphCalls } = await counted(() =>
      post(graphql, `{ whoami { ${'userId '.repeat(2000)} } }`),
    );
    expect(result).toEqual({
      status: 400,
      errors: [
        expect.objectContaining({
          message: 'Token limit of 2000 exceeded.',
          extensions: { code: 'GRAPHQL_PARSE_FAILED' },
        }),
      ],
    });
    expect(subgraphCalls).toBe(0);
  });

  it('refuses more than 50 directives', async () => {
    const { result, subgraphCalls } = await counted(() =>
      post(graphql, `{ whoami { ${'userId @include(if: true) '.repeat(51)} } }`),
    );
    expect(result).toEqual({
      status: 400,
      errors: [
        {
          message: 'Directives limit of 50 exceeded, found 51.',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    });
    expect(subgraphCalls).toBe(0);
  });

  it('refuses an operation costing more than 10000', async () => {
    // Within every other limit: 10 levels, 300 fields at the bottom, each weighted 1.5 per level above.
    const { result, subgraphCalls } = await counted(() =>
      post(graphql, `{ whoami { userId } ${nested(10, 300)} }`),
    );
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([
      {
        message: expect.stringMatching(/^Query Cost limit of 10000 exceeded, found \d+(\.\d+)?\.$/),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
    expect(subgraphCalls).toBe(0);
  });

  it('refuses a body over 100 KB with 413', async () => {
    const body = JSON.stringify({
      query: '{ whoami { userId } }',
      variables: { pad: 'x'.repeat(100 * 1024) },
    });
    const { result, subgraphCalls } = await counted(() =>
      request(graphql, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    );
    expect(result).toEqual({
      status: 413,
      errors: [{ message: 'request body over 102400 bytes', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(subgraphCalls).toBe(0);
  });

  it('refuses a batch of operations', async () => {
    const body = JSON.stringify([{ query: '{ whoami { userId } }' }, { query: '{ requestId }' }]);
    const { result, subgraphCalls } = await counted(() =>
      request(graphql, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    );
    expect(result).toEqual({
      status: 400,
      errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(subgraphCalls).toBe(0);
  });
});

describe('cross-site request forgery', () => {
  const query = `?query=${encodeURIComponent('{ whoami { userId } }')}`;

  it('refuses a GET a browser would send cross-site without a preflight', async () => {
    const { result, subgraphCalls } = await counted(() => request(`${graphql}${query}`, { method: 'GET' }));
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([
      {
        message: expect.stringContaining('blocked as a potential Cross-Site Request Forgery'),
        extensions: { code: 'BAD_REQUEST' },
      },
    ]);
    expect(subgraphCalls).toBe(0);
  });

  it('refuses a text/plain POST, which needs no preflight either', async () => {
    const { result, subgraphCalls } = await counted(() =>
      request(graphql, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ query: '{ whoami { userId } }' }),
      }),
    );
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(subgraphCalls).toBe(0);
  });

  it('serves a GET that carries apollo-require-preflight', async () => {
    const { result, subgraphCalls } = await counted(() =>
      request(`${graphql}${query}`, { method: 'GET', headers: { 'apollo-require-preflight': 'true' } }),
    );
    expect(result).toEqual({ status: 200, data: { whoami: null } });
    expect(subgraphCalls).toBe(1);
  });
});

describe('schema hints in errors', () => {
  it('does not suggest field names for a misspelled field', async () => {
    const { result, subgraphCalls } = await counted(() => post(graphql, '{ whoam { userId } }'));
    expect(result).toEqual({
      status: 400,
      errors: [
        expect.objectContaining({
          message: 'Cannot query field "whoam" on type "Query".',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ],
    });
    expect(subgraphCalls).toBe(0);
  });

  it('does not suggest enum values for a variable that does not coerce', async () => {
    const body = JSON.stringify({
      query: 'query ($role: Role) { callers(role: $role) { userId } }',
      variables: { role: 'ADMN' },
    });
    const { result, subgraphCalls } = await counted(() =>
      request(graphql, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    );
    expect(result).toEqual({
      status: 400,
      errors: [
        expect.objectContaining({
          message: 'Variable "$role" got invalid value "ADMN"; Value "ADMN" does not exist in "Role" enum.',
          extensions: { code: 'BAD_USER_INPUT' },
        }),
      ],
    });
    expect(subgraphCalls).toBe(0);
  });
});

describe('each limit follows its variable', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['MAX_DEPTH', '3', `{ ${nested(4)} }`, /^Query depth limit of 3 exceeded, found 4\.$/],
    ['MAX_ALIASES', '2', `{ ${aliases(3)} }`, /^Aliases limit of 2 exceeded, found 3\.$/],
    [
      'MAX_DIRECTIVES',
      '1',
      '{ whoami { userId @include(if: true) role @include(if: true) } }',
      /^Directives limit of 1 exceeded, found 2\.$/,
    ],
    ['MAX_COST', '5', '{ whoami { userId role } requestId }', /^Query Cost limit of 5 exceeded, found 6\.$/],
    ['MAX_TOKENS', '5', '{ whoami { userId role } }', /^Token limit of 5 exceeded\.$/],
    ['MAX_BODY_BYTES', '20', '{ whoami { userId } }', /^request body over 20 bytes$/],
  ];

  it('refuses to start with a limit that is not a whole number of at least 1', () => {
    const env = { SUPERGRAPH_PATH: stack.supergraph.path, JWKS_URL: stack.jwks.url };
    expect(() => routerTestEnv({ ...env, MAX_DEPTH: '0', MAX_COST: 'lots' })).toThrow(
      /MAX_DEPTH: .*; MAX_COST: /,
    );
  });

  it.each(cases)('%s=%s refuses what the default accepts', async (name, value, query, message) => {
    expect(await post(graphql, query)).toMatchObject({ status: 200, data: expect.anything() });

    const lowered = await startRouter(
      routerTestEnv({ SUPERGRAPH_PATH: stack.supergraph.path, JWKS_URL: stack.jwks.url, [name]: value }),
    );
    try {
      const { result, subgraphCalls } = await counted(() => post(`${lowered.url}graphql`, query));
      expect(result.status).toBe(name === 'MAX_BODY_BYTES' ? 413 : 400);
      expect(result.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message) })]);
      expect(subgraphCalls).toBe(0);
    } finally {
      await lowered.stop();
    }
  });
});

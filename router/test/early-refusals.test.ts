import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, fetch } from 'undici';
import { DISCARD_LIMIT_BYTES, type SubgraphServer } from '@supergraph/server-kit';
import { eventually, keepAliveClient, type KeepAliveAnswer, type KeepAliveClient } from '@supergraph/testing';
import { startRouter, type Router } from '../src/app.ts';
import { AT_CAPACITY_MESSAGE } from '../src/http-handler.ts';
import { startPlainSubgraph } from './support/plain-subgraph.ts';
import { routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { WHOAMI_TYPE_DEFS } from './support/whoami-subgraph.ts';
import { startWhoamiStack, type WhoamiStack } from './support/whoami-stack.ts';

// A request the router refuses before it has read the body (too large, a bad token), or once it has
// (bad JSON, Apollo's own refusals, at capacity), must leave a keep-alive client (a browser, Node's
// fetch, an ingress pooling connections) able to use its connection: the answer arrives, and the next
// request on the same connection is served. A body past the drain bound gets `Connection: close`
// instead, and the next request a new connection.

const LIMIT = 100 * 1024; // MAX_BODY_BYTES's default
const ROUNDS = 5;
const OVERSIZE: Array<[string, number]> = [
  ['just over the limit', LIMIT + 1],
  ['300 KB', 300 * 1024],
  ['3 MiB', 3 * 1024 * 1024],
];
const PAST_THE_BOUND = LIMIT + DISCARD_LIMIT_BYTES + 1024 * 1024;
/** A body within the limit that still takes several reads to arrive. */
const NEAR_THE_LIMIT = LIMIT - 1024;

let stack: WhoamiStack;
let graphql: string;
let client: KeepAliveClient;

beforeAll(async () => {
  stack = await startWhoamiStack(WHOAMI_TYPE_DEFS);
  ({ graphql } = stack);
  client = keepAliveClient();
});

afterAll(async () => {
  client?.close();
  await stack?.stop();
});

/** An operation exactly `bytes` long as JSON, its variables padded out. */
function paddedOperation(query: string, bytes: number): string {
  const bare = JSON.stringify({ query, variables: { pad: '' } });
  return JSON.stringify({ query, variables: { pad: 'x'.repeat(Math.max(0, bytes - bare.length)) } });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ping = { headers: JSON_HEADERS, body: JSON.stringify({ query: '{ ping }' }) };

/** What a client sees of an answer: status, error code, and what it was told about the connection. */
function seen(answer: KeepAliveAnswer) {
  const body = answer.body as { errors?: Array<{ extensions?: { code?: string } }> };
  return {
    status: answer.status,
    code: body.errors?.[0]?.extensions?.code,
    connection: answer.headers.connection,
  };
}

/** The refused request's connection carries the next request, which is served. */
async function expectConnectionKept(url: string, refused: KeepAliveAnswer): Promise<void> {
  const next = await client.send(url, ping);
  expect({ status: next.status, body: next.body, reused: next.reusedSocket }).toEqual({
    status: 200,
    body: { data: { ping: 'pong' } },
    reused: true,
  });
  expect(next.socket === refused.socket).toBe(true);
}

/** The server closed the refused request's connection; the next request, on a new one, is served. */
async function expectConnectionReplaced(url: string, refused: KeepAliveAnswer): Promise<void> {
  const next = await client.send(url, ping);
  expect({ status: next.status, body: next.body, reused: next.reusedSocket }).toEqual({
    status: 200,
    body: { data: { ping: 'pong' } },
    reused: false,
  });
  expect(next.socket === refused.socket).toBe(false);
}

describe('refusals before the body is read', () => {
  describe.each(OVERSIZE)('a body %s', (_, bytes) => {
    const body = paddedOperation('{ ping }', bytes);

    it('gets 413 and keeps the connection, round after round', async () => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const refused = await client.send(graphql, { headers: JSON_HEADERS, body });
        expect(seen(refused)).toEqual({ status: 413, code: 'BAD_REQUEST', connection: 'keep-alive' });
        expect(refused.body).toEqual({
          errors: [{ message: `request body over ${LIMIT} bytes`, extensions: { code: 'BAD_REQUEST' } }],
        });
        await expectConnectionKept(graphql, refused);
      }
    });

    it('with a bad token gets 401 and keeps the connection, round after round', async () => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const refused = await client.send(graphql, {
          headers: { ...JSON_HEADERS, authorization: 'Bearer not-a-token' },
          body,
        });
        expect(seen(refused)).toEqual({ status: 401, code: 'UNAUTHENTICATED', connection: 'keep-alive' });
        expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
        await expectConnectionKept(graphql, refused);
      }
    });
  });

  it('answers 404 off the GraphQL path, and keeps the connection', async () => {
    const url = new URL('/nowhere', graphql).href;
    for (let round = 0; round < ROUNDS; round += 1) {
      const refused = await client.send(url, {
        headers: JSON_HEADERS,
        body: paddedOperation('{ ping }', 300 * 1024),
      });
      expect({ status: refused.status, body: refused.body, connection: refused.headers.connection }).toEqual({
        status: 404,
        body: { error: 'not found' },
        connection: 'keep-alive',
      });
      await expectConnectionKept(graphql, refused);
    }
  });

  it('answers a small body with a bad token, and keeps the connection', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const refused = await client.send(graphql, {
        headers: { ...JSON_HEADERS, authorization: 'Bearer not-a-token' },
        body: JSON.stringify({ query: '{ whoami { userId } }' }),
      });
      expect(seen(refused)).toEqual({ status: 401, code: 'UNAUTHENTICATED', connection: 'keep-alive' });
      await expectConnectionKept(graphql, refused);
    }
  });

  describe('a body past the drain bound', () => {
    const body = paddedOperation('{ ping }', PAST_THE_BOUND);

    it('gets 413 with Connection: close, and the next request a new connection', async () => {
      for (let round = 0; round < 3; round += 1) {
        const refused = await client.send(graphql, { headers: JSON_HEADERS, body });
        expect(seen(refused)).toEqual({ status: 413, code: 'BAD_REQUEST', connection: 'close' });
        await expectConnectionReplaced(graphql, refused);
      }
    });

    it('with a bad token gets 401 with Connection: close, and the next request a new connection', async () => {
      for (let round = 0; round < 3; round += 1) {
        const refused = await client.send(graphql, {
          headers: { ...JSON_HEADERS, authorization: 'Bearer not-a-token' },
          body,
        });
        expect(seen(refused)).toEqual({ status: 401, code: 'UNAUTHENTICATED', connection: 'close' });
        await expectConnectionReplaced(graphql, refused);
      }
    });
  });
});

describe('refusals once the body is read', () => {
  const operation = paddedOperation('{ ping }', NEAR_THE_LIMIT);
  const cases: Array<[string, { method?: string; headers: Record<string, string>; body: string }, number]> = [
    // Ours (http-io.ts's parseJsonOrRefuse).
    [
      'a body that is not JSON',
      { headers: JSON_HEADERS, body: `{"query": "{ ping }", "pad": "${'x'.repeat(NEAR_THE_LIMIT)}` },
      400,
    ],
    // Apollo's (executeHTTPGraphQLRequest), after the router has read and parsed the body.
    [
      'a POST a browser sends without a preflight',
      { headers: { 'content-type': 'text/plain' }, body: operation },
      400,
    ],
    ['a PUT', { method: 'PUT', headers: JSON_HEADERS, body: operation }, 405],
    [
      'a GET whose content type is not JSON',
      { method: 'GET', headers: { 'content-type': 'application/xml' }, body: operation },
      415,
    ],
  ];

  it.each(cases)('%s is refused and the connection kept, round after round', async (_, request, status) => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const refused = await client.send(graphql, request);
      expect(seen(refused)).toEqual({ status, code: 'BAD_REQUEST', connection: 'keep-alive' });
      await expectConnectionKept(graphql, refused);
    }
  });
});

describe('refusal at capacity', () => {
  const HELD_TYPE_DEFS = WHOAMI_TYPE_DEFS.replace('ping: String', 'ping: String\n    held: String');
  let gate: { entered: boolean; release: () => void; released: Promise<void> } | undefined;
  let subgraph: SubgraphServer;
  let supergraph: SupergraphFile;
  let router: Router;

  beforeAll(async () => {
    subgraph = await startPlainSubgraph('held', HELD_TYPE_DEFS, {
      Query: {
        ping: () => 'pong',
        // Holds the router's one execution slot while a gate is up.
        held: async () => {
          if (gate) {
            gate.entered = true;
            await gate.released;
          }
          return 'done';
        },
      },
    });
    supergraph = createSupergraphFile(
      composeSupergraph([{ name: 'held', url: subgraph.url, typeDefs: HELD_TYPE_DEFS }]),
    );
    router = await startRouter(
      routerTestEnv({
        SUPERGRAPH_PATH: supergraph.path,
        JWKS_URL: stack.jwks.url,
        MAX_CONCURRENT_OPERATIONS: '1',
        MAX_QUEUED_OPERATIONS: '0',
      }),
    );
  });

  afterAll(async () => {
    await router?.stop();
    await subgraph?.stop();
    supergraph?.remove();
  });

  it('answers 503 and keeps the connection for when the router has room again', async () => {
    const url = `${router.url}graphql`;
    for (let round = 0; round < ROUNDS; round += 1) {
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const current = (gate = { entered: false, release, released });
      const holding = fetch(url, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ query: '{ held }' }),
      }).then((response) => response.json());
      await eventually(async () => (current.entered ? true : undefined));

      const refused = await client.send(url, {
        headers: JSON_HEADERS,
        body: paddedOperation('{ ping }', NEAR_THE_LIMIT),
      });
      expect(seen(refused)).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', connection: 'keep-alive' });
      expect(refused.body).toEqual({
        errors: [{ message: AT_CAPACITY_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      });
      expect(refused.headers['retry-after']).toBe('1');

      gate = undefined;
      release();
      expect(await holding).toEqual({ data: { held: 'done' } });
      await expectConnectionKept(url, refused);
    }
  });
});

describe("with undici's fetch on one connection", () => {
  it('keeps that connection through 20 rounds of 413 and a query, and replaces it past the bound', async () => {
    const origin = new URL(graphql).origin;
    const dispatcher = new Client(origin);
    let connections = 0;
    dispatcher.on('connect', () => (connections += 1));
    const send = async (body: string) => {
      const response = await fetch(graphql, { method: 'POST', headers: JSON_HEADERS, body, dispatcher });
      return {
        status: response.status,
        connection: response.headers.get('connection'),
        body: await response.json(),
      };
    };
    try {
      for (let round = 0; round < 20; round += 1) {
        expect(await send(paddedOperation('{ ping }', 300 * 1024))).toEqual({
          status: 413,
          connection: 'keep-alive',
          body: {
            errors: [{ message: `request body over ${LIMIT} bytes`, extensions: { code: 'BAD_REQUEST' } }],
          },
        });
        expect(await send(ping.body)).toMatchObject({ status: 200, body: { data: { ping: 'pong' } } });
      }
      expect(connections).toBe(1);

      expect(await send(paddedOperation('{ ping }', PAST_THE_BOUND))).toMatchObject({
        status: 413,
        connection: 'close',
      });
      expect(await send(ping.body)).toMatchObject({ status: 200, body: { data: { ping: 'pong' } } });
      expect(connections).toBe(2);
    } finally {
      await dispatcher.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { signInternalRequest } from '@supergraph/identity';
import { createLogger } from '@supergraph/logging';
import { keepAliveClient, type KeepAliveAnswer, type KeepAliveClient } from '@supergraph/testing';
import { DISCARD_LIMIT_BYTES, startSubgraphServer, type SubgraphServer } from '../src/index.ts';

// A subgraph refuses what the router would never send (a body over its limit, a body that is not
// JSON, an unsigned request) and must leave the caller's keep-alive connection working: the router
// pools its connections to each subgraph, so a reset there fails some other operation's call.

const SECRET = 'early-refusals-test-secret-0123456789abc';
const LIMIT = 100 * 1024;
const ROUNDS = 5;

let server: SubgraphServer;
let client: KeepAliveClient;

beforeAll(async () => {
  server = await startSubgraphServer({
    name: 'pong',
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { ping: String }`),
    resolvers: { Query: { ping: () => 'pong' } },
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'pong', level: 'silent' }),
    internalSecret: SECRET,
    production: true,
    readiness: {},
    createContext: (base) => base,
    bodyLimitBytes: LIMIT,
  });
  client = keepAliveClient();
});

afterAll(async () => {
  client?.close();
  await server?.stop();
});

/** A request as the router sends it: the body signed with the internal secret. */
function signed(body: string) {
  return {
    headers: {
      'content-type': 'application/json',
      ...signInternalRequest(SECRET, { identity: null, body }),
    },
    body,
  };
}

/** The same request with its body sent chunked, its length unknown until it ends. */
function chunked(request: { headers: Record<string, string>; body: string }) {
  return { ...request, headers: { ...request.headers, 'transfer-encoding': 'chunked' } };
}

/** An operation exactly `bytes` long as JSON, its variables padded out. */
function paddedOperation(bytes: number): string {
  const bare = JSON.stringify({ query: '{ ping }', variables: { pad: '' } });
  return JSON.stringify({
    query: '{ ping }',
    variables: { pad: 'x'.repeat(Math.max(0, bytes - bare.length)) },
  });
}

function seen(answer: KeepAliveAnswer) {
  return { status: answer.status, body: answer.body, connection: answer.headers.connection };
}

/** The next request is served: on the refused request's connection when `kept`, on a new one if not. */
async function expectNextServed(refused: KeepAliveAnswer, kept: boolean): Promise<void> {
  const next = await client.send(server.url, signed(JSON.stringify({ query: '{ ping }' })));
  expect({ status: next.status, body: next.body, reused: next.reusedSocket }).toEqual({
    status: 200,
    body: { data: { ping: 'pong' } },
    reused: kept,
  });
  expect(next.socket === refused.socket).toBe(kept);
}

const tooLarge = {
  errors: [{ message: `request body over ${LIMIT} bytes`, extensions: { code: 'BAD_REQUEST' } }],
};

describe('a subgraph keeps the connection of a request it refuses', () => {
  it.each([
    ['just over the limit', LIMIT + 1],
    ['300 KB', 300 * 1024],
    ['3 MiB', 3 * 1024 * 1024],
  ])('413 for a body %s, round after round', async (_, bytes) => {
    const request = signed(paddedOperation(bytes));
    for (let round = 0; round < ROUNDS; round += 1) {
      const refused = await client.send(server.url, request);
      expect(seen(refused)).toEqual({ status: 413, body: tooLarge, connection: 'keep-alive' });
      await expectNextServed(refused, true);
    }
  });

  it('413 for a chunked body (of unknown length) that ends within the drain bound', async () => {
    const request = signed(paddedOperation(300 * 1024));
    for (let round = 0; round < ROUNDS; round += 1) {
      const refused = await client.send(server.url, chunked(request));
      expect(seen(refused)).toEqual({ status: 413, body: tooLarge, connection: 'keep-alive' });
      await expectNextServed(refused, true);
    }
  });

  it('400 for a body that is not JSON, round after round', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const refused = await client.send(
        server.url,
        signed(`{"query": "{ ping }", "pad": "${'x'.repeat(LIMIT - 1024)}`),
      );
      expect(seen(refused)).toEqual({
        status: 400,
        body: {
          errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }],
        },
        connection: 'keep-alive',
      });
      await expectNextServed(refused, true);
    }
  });

  it('401 for an unsigned request, round after round', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const refused = await client.send(server.url, {
        headers: { 'content-type': 'application/json' },
        body: paddedOperation(LIMIT - 1024),
      });
      expect(seen(refused)).toMatchObject({ status: 401, connection: 'keep-alive' });
      expect(refused.body).toEqual({
        errors: [
          {
            message: 'This subgraph only serves the router: missing internal signature.',
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      });
      await expectNextServed(refused, true);
    }
  });

  it('413 with Connection: close for a body past the drain bound, and a new connection after', async () => {
    const request = signed(paddedOperation(LIMIT + DISCARD_LIMIT_BYTES + 1024 * 1024));
    for (let round = 0; round < 3; round += 1) {
      const refused = await client.send(server.url, request);
      expect(seen(refused)).toEqual({ status: 413, body: tooLarge, connection: 'close' });
      await expectNextServed(refused, false);
    }
  });

  it('413 with Connection: close for a chunked body past the drain bound, and a new connection after', async () => {
    const request = chunked(signed(paddedOperation(LIMIT + DISCARD_LIMIT_BYTES + 1024 * 1024)));
    for (let round = 0; round < 3; round += 1) {
      const refused = await client.send(server.url, request);
      expect(seen(refused)).toEqual({ status: 413, body: tooLarge, connection: 'close' });
      await expectNextServed(refused, false);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { createLogger } from '@supergraph/logging';
import { startSubgraphServer, type SubgraphServer } from '@supergraph/server-kit';
import { TEST_INTERNAL_SECRET } from '@supergraph/testing';
import { runLoad } from '../scripts/bench/load.ts';
import { signedInit } from '../scripts/bench/peers/peer-support.ts';
import { postOperation } from '../scripts/bench/verify.ts';

// The benchmark's "subgraph direct" figures mean something only if the subgraph serves its requests
// rather than refusing them as replays: every piece of the bench that calls a subgraph signs each
// request anew. Checked against a real subgraph server, which refuses a nonce it has seen.

let server: SubgraphServer;
let origin: string;
const operation = { query: '{ hello }', variables: {} };

beforeAll(async () => {
  server = await startSubgraphServer({
    name: 'bench-target',
    typeDefs: parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
      type Query { hello: String }`),
    resolvers: { Query: { hello: () => 'world' } },
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'bench-target', level: 'silent' }),
    internalSecret: TEST_INTERNAL_SECRET,
    production: true,
    readiness: {},
    createContext: (base) => base,
  });
  origin = new URL(server.url).origin;
});

afterAll(() => server?.stop());

describe('the bench signing its requests to a subgraph', () => {
  it('has every request of a load round served, more than one per connection', async () => {
    const result = await runLoad({
      url: origin,
      operations: [operation, { query: '{ __typename }', variables: {} }],
      connections: 2,
      durationSeconds: 1,
      internalSecret: TEST_INTERNAL_SECRET,
    });
    expect(result.firstError).toBeUndefined();
    expect(result.non2xx).toBe(0);
    expect(result.responses).toBeGreaterThan(2);
  });

  it('has the same operation verified twice served twice', async () => {
    const target = { origin, internalSecret: TEST_INTERNAL_SECRET } as Parameters<typeof postOperation>[0];
    for (let round = 0; round < 2; round += 1) {
      expect(await postOperation(target, operation)).toEqual({
        status: 200,
        json: { data: { hello: 'world' } },
      });
    }
  });

  it('has the requests a peer gateway signs served, the same body each time', async () => {
    const body = JSON.stringify(operation);
    for (let round = 0; round < 2; round += 1) {
      const init = signedInit(TEST_INTERNAL_SECRET, server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect((await fetch(server.url, init)).status).toBe(200);
    }
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRouter, type Router } from '../src/app.ts';
import { closedPort, startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { WHOAMI_TYPE_DEFS } from './support/whoami-subgraph.ts';

const SLOW_TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    slow: String
  }
`;

let jwks: JwksServer;
let hanging: Server;
let supergraph: SupergraphFile;
let router: Router;
let graphql: string;

beforeAll(async () => {
  // Accepts connections and never answers: a subgraph stuck on a lock.
  hanging = createServer(() => {});
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  jwks = await startJwksServer();
  supergraph = createSupergraphFile(
    composeSupergraph([
      { name: 'whoami', url: 'http://whoami.invalid/graphql', typeDefs: WHOAMI_TYPE_DEFS },
      { name: 'slow', url: 'http://slow.invalid/graphql', typeDefs: SLOW_TYPE_DEFS },
    ]),
  );
  const slowPort = (hanging.address() as AddressInfo).port;
  router = await startRouter(
    routerTestEnv({
      SUPERGRAPH_PATH: supergraph.path,
      // The users subgraph, which serves the keys, is down.
      JWKS_URL: `http://127.0.0.1:${await closedPort()}/.well-known/jwks.json`,
      // SUBGRAPH_URLS overrides the routing URLs composed into the supergraph.
      SUBGRAPH_URLS: `whoami=http://127.0.0.1:${await closedPort()}/graphql,slow=http://127.0.0.1:${slowPort}/graphql`,
      SUBGRAPH_TIMEOUT_MS: '300',
    }),
  );
  graphql = `${router.url}graphql`;
});

afterAll(async () => {
  await router?.stop();
  hanging?.closeAllConnections();
  await new Promise((resolve) => hanging?.close(resolve));
  await jwks?.stop();
  supergraph?.remove();
});

describe('router with a dependency down', () => {
  it('answers SERVICE_UNAVAILABLE with 503 when the signing keys cannot be fetched', async () => {
    const token = await jwks.sign('user-1', 'CUSTOMER');
    const result = await post(graphql, '{ whoami { userId } }', { authorization: `Bearer ${token}` });
    expect(result.status).toBe(503);
    expect(result.errors).toEqual([
      { message: expect.any(String), extensions: { code: 'SERVICE_UNAVAILABLE' } },
    ]);
  });

  it('still serves anonymous callers while the signing keys are unavailable', async () => {
    const result = await post(graphql, '{ __typename }');
    expect(result).toEqual({ status: 200, data: { __typename: 'Query' } });
  });

  it('returns partial data and SERVICE_UNAVAILABLE when a subgraph is down', async () => {
    const result = await post(graphql, '{ whoami { userId } }');
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ whoami: null });
    expect(result.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
  });

  it('gives up on a subgraph that does not answer within SUBGRAPH_TIMEOUT_MS', async () => {
    const result = await post(graphql, '{ slow }');
    expect(result.data).toEqual({ slow: null });
    expect(result.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
  });
});

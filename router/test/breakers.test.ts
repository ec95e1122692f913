import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import type { SubgraphServer } from '@supergraph/server-kit';
import { startRouter, type Router } from '../src/app.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { startWhoamiSubgraph, WHOAMI_TYPE_DEFS } from './support/whoami-subgraph.ts';

// Each subgraph behind its own circuit breaker: a failing subgraph costs the rest of the query nothing
// (partial data), is not called at all while its circuit is open, and is used again after a successful
// probe. Calls reuse kept-alive connections.

const FLAKY_TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    flaky: String
  }
`;

let whoami: SubgraphServer;
let flaky: Server;
let healthy = false;
let requests = 0;
const sockets = new Set<Socket>();
let supergraph: SupergraphFile;
let router: Router;
let graphql: string;

beforeAll(async () => {
  whoami = await startWhoamiSubgraph();
  // A subgraph that fails with 500 until it is told to be healthy; it counts what reaches it.
  flaky = createServer((req, res) => {
    requests += 1;
    sockets.add(req.socket);
    req.resume();
    req.on('end', () => {
      if (!healthy) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"errors":[{"message":"database down"}]}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"flaky":"ok"}}');
    });
  });
  await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
  const flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/graphql`;
  supergraph = createSupergraphFile(
    composeSupergraph([
      { name: 'whoami', url: whoami.url, typeDefs: WHOAMI_TYPE_DEFS },
      { name: 'flaky', url: flakyUrl, typeDefs: FLAKY_TYPE_DEFS },
    ]),
  );
  router = await startRouter(
    routerTestEnv({
      SUPERGRAPH_PATH: supergraph.path,
      JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      SUBGRAPH_TIMEOUT_MS: '2000',
      SUBGRAPH_BREAKER_VOLUME: '3',
      SUBGRAPH_BREAKER_ERROR_PERCENT: '50',
      SUBGRAPH_BREAKER_RESET_MS: '500',
    }),
  );
  graphql = `${router.url}graphql`;
});

afterAll(async () => {
  await router?.stop();
  await whoami?.stop();
  flaky?.closeAllConnections();
  await new Promise((resolve) => flaky?.close(resolve));
  supergraph?.remove();
});

async function metric(line: RegExp): Promise<string | undefined> {
  const text = await (await fetch(`${router.url}metrics`)).text();
  return text.split('\n').find((candidate) => line.test(candidate));
}

describe('a subgraph behind its circuit breaker', () => {
  it('answers the rest of the query, with SERVICE_UNAVAILABLE on the failing part', async () => {
    const result = await post(graphql, '{ requestId flaky }');
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ requestId: expect.any(String), flaky: null });
    // @apollo/gateway reports a failed fetch without a path; the field itself is null.
    expect(result.errors).toEqual([
      {
        message: 'A service this request needs is unavailable; try again shortly.',
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      },
    ]);
    // Nothing of the subgraph's own answer (its internal error) reaches the client.
    expect(JSON.stringify(result)).not.toContain('database down');
  });

  it('stays closed after one failure, opens past the volume threshold, then stops calling the subgraph', async () => {
    expect(await metric(/^subgraph_breaker_state\{subgraph="flaky"/)).toMatch(/ 0$/);
    await post(graphql, '{ flaky }');
    await post(graphql, '{ flaky }');
    expect(await metric(/^subgraph_breaker_state\{subgraph="flaky"/)).toMatch(/ 2$/);

    const before = requests;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await post(graphql, '{ requestId flaky }');
      expect(result.data).toEqual({ requestId: expect.any(String), flaky: null });
      expect(result.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect(requests).toBe(before);
    expect(
      await metric(/^subgraph_fetch_duration_seconds_count\{.*subgraph="flaky".*outcome="rejected"/),
    ).toMatch(/ 5$/);
  });

  it('closes again after a successful probe once the subgraph is back', async () => {
    healthy = true;
    const result = await eventually(async () => {
      const answer = await post(graphql, '{ flaky }');
      return answer.data?.flaky === 'ok' ? answer : undefined;
    });
    expect(result.errors).toBeUndefined();
    expect(await metric(/^subgraph_breaker_state\{subgraph="flaky"/)).toMatch(/ 0$/);
  });

  it('reuses kept-alive connections to a subgraph', async () => {
    sockets.clear();
    for (let call = 0; call < 20; call += 1) await post(graphql, '{ flaky }');
    expect(sockets.size).toBeLessThanOrEqual(2);
    expect(
      await metric(/^subgraph_fetch_duration_seconds_count\{.*subgraph="flaky".*outcome="ok"/),
    ).toBeDefined();
  });
});

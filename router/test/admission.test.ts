import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SubgraphServer } from '@supergraph/server-kit';
import { startRouter, type Router } from '../src/app.ts';
import { AT_CAPACITY_MESSAGE } from '../src/http-handler.ts';
import { startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { startPlainSubgraph } from './support/plain-subgraph.ts';

// The router executes a bounded number of operations at once (its memory is theirs), lets a bounded
// number wait for a turn, and turns the rest away with a code and a hint to retry.

const TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    slow(tag: String!): String!
  }
`;

let inFlight = 0;
let mostInFlight = 0;
let subgraph: SubgraphServer;
let jwks: JwksServer;
let supergraph: SupergraphFile;
let router: Router;

beforeAll(async () => {
  subgraph = await startPlainSubgraph('slow', TYPE_DEFS, {
    Query: {
      slow: async (_: unknown, { tag }: { tag: string }) => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 300));
        inFlight -= 1;
        return tag;
      },
    },
  });
  jwks = await startJwksServer();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'slow', url: subgraph.url, typeDefs: TYPE_DEFS }]),
  );
  router = await startRouter(
    routerTestEnv({
      SUPERGRAPH_PATH: supergraph.path,
      JWKS_URL: jwks.url,
      MAX_CONCURRENT_OPERATIONS: '2',
      MAX_QUEUED_OPERATIONS: '1',
    }),
  );
});

afterAll(async () => {
  await router?.stop();
  await subgraph?.stop();
  await jwks?.stop();
  supergraph?.remove();
});

async function ask(tag: string) {
  const response = await fetch(`${router.url}graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query Slow($tag: String!) { slow(tag: $tag) }', variables: { tag } }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json(),
  };
}

describe('admission', () => {
  it('runs two at once, queues one, and refuses the fourth with SERVICE_UNAVAILABLE', async () => {
    const first = [ask('a'), ask('b'), ask('c')];
    // The fourth arrives once the first three are executing or waiting.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const refused = await ask('d');

    expect(refused).toEqual({
      status: 503,
      retryAfter: '1',
      body: { errors: [{ message: AT_CAPACITY_MESSAGE, extensions: { code: 'SERVICE_UNAVAILABLE' } }] },
    });
    const answered = await Promise.all(first);
    expect(answered.map((answer) => [answer.status, answer.body])).toEqual(
      ['a', 'b', 'c'].map((tag) => [200, { data: { slow: tag } }]),
    );
    expect(mostInFlight).toBe(2);

    // Once the line has cleared, the router takes operations again.
    expect((await ask('e')).body).toEqual({ data: { slow: 'e' } });
  });
});

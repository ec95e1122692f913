import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SubgraphServer } from '@supergraph/server-kit';
import { startRouter, type Router } from '../src/app.ts';
import { startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { startPlainSubgraph } from './support/plain-subgraph.ts';

// The router plans each operation once and reuses the plan; /metrics shows the hits, misses and
// evictions an operator sizes the cache by.

const TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    greeting(name: String!): String!
    answer: Int!
  }
`;

let subgraph: SubgraphServer;
let jwks: JwksServer;
let supergraph: SupergraphFile;
const routers: Router[] = [];

async function startWithCache(mib: string): Promise<Router> {
  // Every operation of this one-subgraph supergraph is a single fetch, which the router runs without
  // the gateway's executor once planned (single-fetch-gateway.ts), so without a plan cache lookup: off
  // here, so that each request consults the gateway's cache as any multi-subgraph operation does.
  const router = await startRouter(
    routerTestEnv({ SUPERGRAPH_PATH: supergraph.path, JWKS_URL: jwks.url, QUERY_PLAN_CACHE_MIB: mib }),
    { singleFetch: false },
  );
  routers.push(router);
  return router;
}

async function cacheMetrics(router: Router): Promise<Record<string, number>> {
  const text = await (await fetch(`${router.url}metrics`)).text();
  const figures: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match =
      /^(router_query_plan_cache_\w+?)(?:\{[^}]*result="(\w+)"[^}]*\})?(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match) figures[match[2] ? `${match[1]}:${match[2]}` : (match[1] as string)] = Number(match[3]);
  }
  return figures;
}

beforeAll(async () => {
  subgraph = await startPlainSubgraph('hello', TYPE_DEFS, {
    Query: { greeting: (_: unknown, { name }: { name: string }) => `hello ${name}`, answer: () => 42 },
  });
  jwks = await startJwksServer();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'hello', url: subgraph.url, typeDefs: TYPE_DEFS }]),
  );
});

afterAll(async () => {
  for (const router of routers) await router.stop();
  await subgraph?.stop();
  await jwks?.stop();
  supergraph?.remove();
});

describe('query plan cache', () => {
  it('plans an operation once and counts every later lookup as a hit', async () => {
    const router = await startWithCache('30');
    const greet = 'query Greet($name: String!) { greeting(name: $name) }';
    for (const name of ['ada', 'grace', 'edsger']) {
      const response = await fetch(`${router.url}graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: greet, variables: { name } }),
      });
      expect(await response.json()).toEqual({ data: { greeting: `hello ${name}` } });
    }
    expect((await post(`${router.url}graphql`, '{ answer }')).data).toEqual({ answer: 42 });

    expect(await cacheMetrics(router)).toEqual({
      'router_query_plan_cache_lookups_total:hit': 2,
      'router_query_plan_cache_lookups_total:miss': 2,
      router_query_plan_cache_evictions_total: 0,
      router_query_plan_cache_entries: 2,
      router_query_plan_cache_bytes: expect.any(Number),
      router_query_plan_cache_max_bytes: 30 * 2 ** 20,
    });
  });

  it('stays within its size, evicting the least recently used plan', async () => {
    const measuring = await startWithCache('30');
    await post(`${measuring.url}graphql`, '{ answer }');
    const planBytes = (await cacheMetrics(measuring))['router_query_plan_cache_bytes'] as number;
    expect(planBytes).toBeGreaterThan(0);

    // Room for one and a half plans of this size: each new operation pushes the previous one out.
    const router = await startWithCache(String((planBytes * 1.5) / 2 ** 20));
    for (const operation of ['{ answer }', '{ a: answer }', '{ b: answer }', '{ answer }']) {
      expect((await post(`${router.url}graphql`, operation)).errors).toBeUndefined();
    }

    const figures = await cacheMetrics(router);
    expect(figures['router_query_plan_cache_lookups_total:miss']).toBe(4);
    expect(figures['router_query_plan_cache_lookups_total:hit']).toBe(0);
    expect(figures['router_query_plan_cache_evictions_total']).toBe(3);
    expect(figures['router_query_plan_cache_entries']).toBe(1);
    expect(figures['router_query_plan_cache_bytes']).toBeLessThanOrEqual(planBytes * 1.5);
  });
});

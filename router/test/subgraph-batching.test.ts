import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import { startRouter, type Router } from '../src/app.ts';
import { routerTestEnv, type RouterResult } from './support/router-env.ts';
import {
  requestsServed,
  REVIEW_GRAPH_QUERY,
  startReviewGraph,
  type ReviewGraph,
} from './support/review-graph.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';

// The fetches a plan can start together go to each subgraph as one request: on a query whose two
// branches call the same subgraphs level after level, the router sends each subgraph one request per
// wave, and the client gets the answer it gets without batching, errors and their paths included.

/** What inventory does before resolving a product; each test sets it. */
let beforeInventory: (upc: string) => unknown = () => {};
/** Releases every inventory call a test left waiting. */
let releaseStalled = () => {};
let graph: ReviewGraph;
let supergraph: SupergraphFile;
/** The router as deployed, batching every subgraph. */
let batching: Router;
/** The same router told no subgraph takes batches: what the client got before. */
let alone: Router;

beforeAll(async () => {
  graph = await startReviewGraph({ beforeInventory: (upc) => beforeInventory(upc) });
  supergraph = createSupergraphFile(composeSupergraph(graph.subgraphs));
  const env = {
    SUPERGRAPH_PATH: supergraph.path,
    JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    SUBGRAPH_TIMEOUT_MS: '1500',
  };
  batching = await startRouter(routerTestEnv(env));
  alone = await startRouter(routerTestEnv({ ...env, SUBGRAPH_BATCHING: 'none' }));
});

afterAll(async () => {
  releaseStalled();
  await batching?.stop();
  await alone?.stop();
  await graph?.stop();
  supergraph?.remove();
});

interface Answer extends RouterResult {
  cacheControl: string | null;
}

/** POSTs the review graph's query to a router as a client would. */
async function ask(router: Router): Promise<Answer> {
  const response = await fetch(`${router.url}graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: REVIEW_GRAPH_QUERY }),
  });
  const body = (await response.json()) as Omit<RouterResult, 'status'>;
  return { status: response.status, cacheControl: response.headers.get('cache-control'), ...body };
}

/** Subgraph requests by subgraph. */
async function served(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name, server } of graph.subgraphs) counts[name] = await requestsServed(server);
  return counts;
}

/** The requests each subgraph served while `run` ran, once their counts have settled. */
async function requestsDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await served();
  await run();
  let previous = '';
  // A subgraph counts a request once its answer has left: wait until two readings agree.
  return eventually(async () => {
    const after = await served();
    const during = Object.fromEntries(
      Object.entries(after).map(([name, count]) => [name, count - before[name]!]),
    );
    const reading = JSON.stringify(during);
    const settled = reading === previous;
    previous = reading;
    return settled ? during : undefined;
  });
}

/** A response with its errors in a stable order: fetches answer in any order, without batches too. */
function sorted(result: Answer): Answer {
  const errors =
    result.errors && [...result.errors].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return { ...result, ...(errors ? { errors } : {}) };
}

describe('batched subgraph requests', () => {
  it("answer the benchmark's query as before, with one request per subgraph per wave", async () => {
    let batched: Answer | undefined;
    const batchedRequests = await requestsDuring(async () => {
      batched = await ask(batching);
    });
    let unbatched: Answer | undefined;
    const unbatchedRequests = await requestsDuring(async () => {
      unbatched = await ask(alone);
    });

    expect(batched).toEqual(unbatched);
    expect(batched?.errors).toBeUndefined();
    // The least cacheable part: inventory's private hints, 10 s for shipping estimates. A batch carries
    // one Cache-Control for all its operations, the most restrictive of theirs.
    expect(batched?.cacheControl).toBe('max-age=10, private');
    // @requires (shippingEstimate from products' price and weight) and @provides (author's username).
    const [table, couch] = batched?.data?.topProducts as Array<Record<string, unknown>>;
    expect(table).toMatchObject({ upc: '1', price: 899, weight: 100, shippingEstimate: 50, inStock: true });
    expect(couch).toMatchObject({ upc: '2', price: 1299, shippingEstimate: 0, inStock: false });
    expect((couch?.reviews as Array<{ author: unknown }>)[0]?.author).toMatchObject({
      id: '1',
      username: 'ada',
    });

    // Apollo's plan: 16 fetches, each its own request. In waves: accounts and products; reviews; products
    // and accounts; inventory last, where every inventory fetch can wait.
    expect(unbatchedRequests).toEqual({ accounts: 3, inventory: 7, products: 4, reviews: 2 });
    expect(batchedRequests).toEqual({ accounts: 2, inventory: 1, products: 2, reviews: 1 });
  });

  it("put a subgraph's error inside a batch on the client's path, as without batches", async () => {
    beforeInventory = (upc) => {
      if (upc === '2') throw new Error('stock of product 2 is unavailable');
    };
    try {
      const batched = await ask(batching);
      const unbatched = await ask(alone);

      expect(sorted(batched)).toEqual(sorted(unbatched));
      expect(batched.cacheControl).toBe('no-store');
      const topProducts = batched.data?.topProducts as Array<Record<string, unknown>>;
      expect(topProducts[1]).toMatchObject({ upc: '2', inStock: null, shippingEstimate: null });
      expect(topProducts[0]).toMatchObject({ upc: '1', inStock: true, shippingEstimate: 50 });
      expect(batched.errors).toContainEqual({
        message: 'Internal server error',
        path: ['topProducts', 1],
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
    } finally {
      beforeInventory = () => {};
    }
  });

  it('fail exactly the fetches a timed-out batch carried, with one call against the breaker', async () => {
    const stalled = new Promise<void>((resolve) => (releaseStalled = resolve));
    beforeInventory = () => stalled;
    try {
      const failedBefore = await failedCalls(batching, 'inventory');
      const [batched, unbatched] = await Promise.all([ask(batching), ask(alone)]);

      expect(sorted(batched)).toEqual(sorted(unbatched));
      // Every inventory fetch fails (the plan has seven); the rest of the query answers.
      expect(batched.errors).toEqual(
        Array.from({ length: 7 }, () => ({
          message: 'A service this request needs is unavailable; try again shortly.',
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        })),
      );
      const topProducts = batched.data?.topProducts as Array<Record<string, unknown>>;
      expect(topProducts[0]).toMatchObject({
        upc: '1',
        name: 'Table',
        inStock: null,
        shippingEstimate: null,
      });
      expect(await failedCalls(batching, 'inventory')).toBe(failedBefore + 1);
    } finally {
      beforeInventory = () => {};
      releaseStalled();
    }
  });
});

describe('SUBGRAPH_BATCHING', () => {
  it('is all, none or subgraph names, and refused otherwise', () => {
    const env = { SUPERGRAPH_PATH: supergraph.path, JWKS_URL: 'http://127.0.0.1:9/jwks.json' };
    expect(routerTestEnv(env).SUBGRAPH_BATCHING).toBe('all');
    expect(routerTestEnv({ ...env, SUBGRAPH_BATCHING: 'none' }).SUBGRAPH_BATCHING).toEqual(new Set());
    expect(routerTestEnv({ ...env, SUBGRAPH_BATCHING: 'reviews, inventory' }).SUBGRAPH_BATCHING).toEqual(
      new Set(['reviews', 'inventory']),
    );
    expect(() => routerTestEnv({ ...env, SUBGRAPH_BATCHING: 'reviews,in ventory' })).toThrow(
      /SUBGRAPH_BATCHING: "in ventory" is not a subgraph name/,
    );
  });
});

/** Calls to a subgraph the router counted as failed (timed out, unreachable, 5xx) in /metrics. */
async function failedCalls(router: Router, subgraph: string): Promise<number> {
  const text = await (await fetch(`${router.url}metrics`)).text();
  const sample = new RegExp(
    `^subgraph_fetch_duration_seconds_count\\{.*subgraph="${subgraph}".*outcome="failed"`,
  );
  const line = text.split('\n').find((row) => sample.test(row));
  return line ? Number(line.split(' ').pop()) : 0;
}

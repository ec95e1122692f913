import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SubgraphServer } from '@supergraph/server-kit';
import { eventually } from '@supergraph/testing';
import { startJwksServer, type JwksServer } from './support/jwks-server.ts';
import { startPlainSubgraph } from './support/plain-subgraph.ts';
import { startRouterMain, type RouterProcess } from './support/router-main.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';

// The router as operators start it, `node router/src/main.ts` with ROUTER_WORKERS=2: one primary and
// two worker processes sharing one port.

const QUERIES_PER_MINUTE = 4;
const SLOW_MS = 1500;

const TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    hello: String
    slow: String
  }
`;

let slowStarted = 0;
let subgraph: SubgraphServer;
let jwks: JwksServer;
let supergraph: SupergraphFile;

/** Starts the router's main with the test environment plus `vars`, as its own process. */
function startMain(vars: Record<string, string>): RouterProcess {
  return startRouterMain({ JWKS_URL: jwks.url, ROUTER_WORKERS: '2', ...vars });
}

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

/**
 * POSTs an operation on a connection of its own: the cluster hands out connections, not requests, in
 * turn to its workers, so consecutive requests land on alternate workers.
 */
async function ask(port: number, query: string, user: string): Promise<Answer> {
  const token = await jwks.sign(user, 'CUSTOMER');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as Answer['body'] }),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  });
}

/** The sum of a metric's samples whose line matches `sample`, from /metrics as Prometheus sees it. */
async function metric(port: number, sample: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => sample.test(line))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

beforeAll(async () => {
  subgraph = await startPlainSubgraph('cluster', TYPE_DEFS, {
    Query: {
      hello: () => 'hi',
      slow: async () => {
        slowStarted += 1;
        await new Promise((resolve) => setTimeout(resolve, SLOW_MS));
        return 'done';
      },
    },
  });
  jwks = await startJwksServer();
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'cluster', url: subgraph.url, typeDefs: TYPE_DEFS }]),
  );
});

afterAll(async () => {
  await subgraph?.stop();
  await jwks?.stop();
  supergraph?.remove();
});

describe('a router of two workers', () => {
  let router: RouterProcess;
  let port: number;

  beforeAll(async () => {
    router = startMain({
      SUPERGRAPH_PATH: supergraph.path,
      RATE_LIMIT_QUERIES_PER_MINUTE: String(QUERIES_PER_MINUTE),
    });
    port = await eventually(async () => {
      const listening = /"msg":"router: 2 workers on :(\d+)"/.exec(router.stdout());
      return listening ? Number(listening[1]) : undefined;
    }, 20_000);
  });

  afterAll(() => {
    // Only if a test failed before the graceful stop: the workers leave with the primary.
    router.child.kill('SIGKILL');
  });

  /** The pid in each worker's "router ready" line, in the order they started. */
  function readyWorkers(): number[] {
    return router
      .stdout()
      .split('\n')
      .filter((line) => line.includes('"msg":"router ready"'))
      .map((line) => (JSON.parse(line) as { pid: number }).pid);
  }

  it('starts two worker processes and says so once', () => {
    const ready = readyWorkers();
    expect(new Set(ready).size).toBe(2);
    expect(ready).not.toContain(router.child.pid);
    expect(router.stdout().match(/workers on :/g)).toHaveLength(1);
    expect(router.stderr()).toBe('');
  });

  it('answers from both workers: each plans a new operation once', async () => {
    const misses = /^router_query_plan_cache_lookups_total\{.*result="miss"/;
    const before = await metric(port, misses);
    for (let index = 0; index < 4; index += 1) {
      expect(await ask(port, 'query Spread { hello }', 'spread')).toEqual({
        status: 200,
        body: { data: { hello: 'hi' } },
      });
    }
    // The query plan cache is each worker's own: one miss means one worker, two mean both answered.
    expect((await metric(port, misses)) - before).toBe(2);
  });

  it('counts the requests of every worker in /metrics', async () => {
    const graphqlRequests = /^http_request_duration_seconds_count\{.*route="\/graphql"/;
    const operations = /^graphql_operation_duration_seconds_count\{.*operation="Counted"/;
    const before = await metric(port, graphqlRequests);
    const sent = 6;
    for (let index = 0; index < sent; index += 1) {
      expect((await ask(port, 'query Counted { hello }', `counted-${index}`)).status).toBe(200);
    }
    expect((await metric(port, graphqlRequests)) - before).toBe(sent);
    expect(await metric(port, operations)).toBe(sent);
  });

  it('shares one rate-limit budget between the workers', async () => {
    const answers: Answer[] = [];
    // Alternate workers: had each its own budget, each would have answered 3 of these 6 without refusing.
    for (let index = 0; index < QUERIES_PER_MINUTE + 2; index += 1) {
      answers.push(await ask(port, '{ hello }', 'budget'));
    }
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 429, 429]);
    for (const refused of answers.slice(QUERIES_PER_MINUTE)) {
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    }
  });

  it('replaces a worker that dies, and says how it ended', async () => {
    const [victim] = readyWorkers();
    process.kill(victim!, 'SIGKILL');
    await eventually(async () => (readyWorkers().length === 3 ? true : undefined), 20_000);
    expect(router.stdout()).toContain(`"msg":"router worker ${victim} exited with signal SIGKILL"`);
    expect(await ask(port, '{ hello }', 'after-replacement')).toEqual({
      status: 200,
      body: { data: { hello: 'hi' } },
    });
  });

  it('stops on SIGTERM once every worker has answered its requests, and exits 0', async () => {
    slowStarted = 0;
    const inFlight = [ask(port, '{ slow }', 'slow-1'), ask(port, '{ slow }', 'slow-2')];
    await eventually(async () => (slowStarted === 2 ? true : undefined));
    router.child.kill('SIGTERM');
    for (const answer of await Promise.all(inFlight)) {
      expect(answer).toEqual({ status: 200, body: { data: { slow: 'done' } } });
    }
    expect(await router.exited).toEqual({ code: 0, signal: null });
    expect(router.stdout().match(/"msg":"router stopped"/g)).toHaveLength(3);
  });
});

describe('a router whose workers cannot start', () => {
  it('exits 1 with the reason on one line', async () => {
    const bad = createSupergraphFile('this is not a supergraph');
    try {
      const router = startMain({ SUPERGRAPH_PATH: bad.path });
      expect(await router.exited).toEqual({ code: 1, signal: null });
      const lines = router.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^router: cannot start: the supergraph at ${bad.path} is not valid: Syntax Error`),
      );
      expect(router.stdout()).not.toMatch(/workers on/);
    } finally {
      bad.remove();
    }
  });
});

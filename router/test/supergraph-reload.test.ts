import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { StartupError } from '@supergraph/config';
import { createLogger } from '@supergraph/logging';
import type { SubgraphServer } from '@supergraph/server-kit';
import { startRouter, type Router } from '../src/app.ts';
import type { JwksServer } from './support/jwks-server.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { WHOAMI_TYPE_DEFS, WHOAMI_TYPE_DEFS_WITHOUT_PING } from './support/whoami-subgraph.ts';
import { startWhoamiStack, type WhoamiStack } from './support/whoami-stack.ts';

let stack: WhoamiStack;
let jwks: JwksServer;
let subgraph: SubgraphServer;
let supergraph: SupergraphFile;
let router: Router;
let graphql: string;
const logLines: string[] = [];

/** Checks `condition` every 50 ms for up to 10 s: long enough for several polls of the file. */
async function eventually(condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('condition not met within 10 s');
}

beforeAll(async () => {
  const logger = createLogger({
    name: 'router',
    level: 'info',
    destination: { write: (line) => logLines.push(line) },
  });
  stack = await startWhoamiStack(
    WHOAMI_TYPE_DEFS_WITHOUT_PING,
    { logger, supergraphPollMs: 50 },
    // The load below comes from one address; rate limits have their own tests.
    { RATE_LIMIT_QUERIES_PER_MINUTE: '1000000' },
  );
  ({ jwks, subgraph, supergraph, router, graphql } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

describe('supergraph file', () => {
  it('serves the new schema once the file changes, and keeps it through an invalid update', async () => {
    const before = await post(graphql, '{ ping }');
    expect(before.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    supergraph.write(composeSupergraph([{ name: 'whoami', url: subgraph.url, typeDefs: WHOAMI_TYPE_DEFS }]));
    await eventually(async () => (await post(graphql, '{ ping }')).data?.ping === 'pong');
    expect(logLines.some((line) => line.includes('supergraph reloaded'))).toBe(true);

    supergraph.write('this is not a supergraph');
    await eventually(() => logLines.some((line) => line.includes('supergraph update rejected')));
    expect(await post(graphql, '{ ping }')).toEqual({ status: 200, data: { ping: 'pong' } });
    expect((await fetch(`${router.url}ready`)).status).toBe(200);
    // The log says why, not only that it refused.
    const rejection = JSON.parse(logLines.find((line) => line.includes('supergraph update rejected'))!);
    expect(rejection).toMatchObject({ path: supergraph.path, err: { message: expect.any(String) } });
    expect(rejection.err.message.length).toBeGreaterThan(0);
  });

  it('swaps schemas under concurrent requests without failing one, whatever way the file is written', async () => {
    const withPing = composeSupergraph([{ name: 'whoami', url: subgraph.url, typeDefs: WHOAMI_TYPE_DEFS }]);
    const withoutPing = composeSupergraph([
      { name: 'whoami', url: subgraph.url, typeDefs: WHOAMI_TYPE_DEFS_WITHOUT_PING },
    ]);
    const pingServed = async () => (await post(graphql, '{ ping }')).data?.ping === 'pong';
    const rejections = () => logLines.filter((line) => line.includes('supergraph update rejected')).length;

    // Clients asking for a field every version serves, as fast as they can, the whole time.
    let loading = true;
    let answered = 0;
    const failures: unknown[] = [];
    const client = async () => {
      while (loading) {
        const result = await post(graphql, '{ requestId }').catch((error: unknown) => ({
          error: String(error),
        }));
        if (
          'status' in result &&
          result.status === 200 &&
          typeof result.data?.requestId === 'string' &&
          !result.errors
        ) {
          answered += 1;
        } else {
          failures.push(result);
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    // Each step below is checked with requests still flowing after it, not only between steps.
    const stillAnswering = async () => {
      const mark = answered;
      await eventually(() => answered >= mark + 8);
    };

    // Replaced by a rename, as `npm run compose` and Kubernetes ConfigMap updates do.
    supergraph.replace(withoutPing);
    await eventually(async () => !(await pingServed()));
    await stillAnswering();
    // Rewritten in place, in two writes: a poll may see the first half, which must be refused and logged.
    const before = rejections();
    supergraph.write(withPing.slice(0, withPing.length / 2));
    await eventually(() => rejections() > before);
    await stillAnswering();
    supergraph.write(withPing);
    await eventually(pingServed);
    await stillAnswering();
    // Garbage: refused, and the last good schema stays in service.
    const beforeGarbage = rejections();
    supergraph.write('type Query {');
    await eventually(() => rejections() > beforeGarbage);
    expect(await pingServed()).toBe(true);
    await stillAnswering();

    loading = false;
    await Promise.all(clients);
    expect(failures).toEqual([]);
  });

  it('refuses to start without a supergraph file, saying how to make one', async () => {
    const env = routerTestEnv({ SUPERGRAPH_PATH: `${supergraph.path}.missing`, JWKS_URL: jwks.url });
    const failure = startRouter(env);
    await expect(failure).rejects.toBeInstanceOf(StartupError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringContaining(`${supergraph.path}.missing`),
      hint: expect.stringContaining('npm run compose'),
    });
  });

  it('refuses to start from a file that is not a supergraph', async () => {
    const broken = createSupergraphFile('type Query { nothing: String }');
    try {
      const failure = startRouter(routerTestEnv({ SUPERGRAPH_PATH: broken.path, JWKS_URL: jwks.url }));
      await expect(failure).rejects.toMatchObject({
        message: expect.stringContaining(`the supergraph at ${broken.path} is not valid`),
        hint: expect.stringContaining('npm run compose'),
      });
    } finally {
      broken.remove();
    }
  });
});

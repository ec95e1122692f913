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
  stack = await startWhoamiStack(WHOAMI_TYPE_DEFS_WITHOUT_PING, { logger, supergraphPollMs: 50 });
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

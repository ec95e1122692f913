import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRouter, type Router } from '../src/app.ts';
import { closedPort } from './support/jwks-server.ts';
import { post, routerTestEnv } from './support/router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './support/supergraph.ts';
import { WHOAMI_TYPE_DEFS } from './support/whoami-subgraph.ts';

let supergraph: SupergraphFile;
let router: Router;

beforeAll(async () => {
  supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'whoami', url: 'http://whoami.invalid/graphql', typeDefs: WHOAMI_TYPE_DEFS }]),
  );
  router = await startRouter(
    routerTestEnv({
      NODE_ENV: 'production',
      SUPERGRAPH_PATH: supergraph.path,
      JWKS_URL: `http://127.0.0.1:${await closedPort()}/.well-known/jwks.json`,
    }),
  );
});

afterAll(async () => {
  await router?.stop();
  supergraph?.remove();
});

describe('router in production', () => {
  it('shows no Sandbox', async () => {
    const response = await fetch(router.url, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await response.text()).not.toMatch(/sandbox/i);
  });

  it('refuses introspection', async () => {
    const result = await post(`${router.url}graphql`, '{ __schema { queryType { name } } }');
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

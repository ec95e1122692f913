import type { SubgraphServer } from '@supergraph/server-kit';
import { startRouter, type Router, type RouterOverrides } from '../../src/app.ts';
import { startJwksServer, type JwksServer } from './jwks-server.ts';
import { routerTestEnv } from './router-env.ts';
import { composeSupergraph, createSupergraphFile, type SupergraphFile } from './supergraph.ts';
import { startWhoamiSubgraph } from './whoami-subgraph.ts';

export interface WhoamiStack {
  jwks: JwksServer;
  subgraph: SubgraphServer;
  supergraph: SupergraphFile;
  router: Router;
  /** The router's GraphQL endpoint. */
  graphql: string;
  stop: () => Promise<void>;
}

/**
 * A router in front of the whoami subgraph, with keys from a local JWKS server and a supergraph file
 * composed from `typeDefs`: what a router test needs, and what its afterAll takes down.
 */
export async function startWhoamiStack(
  typeDefs: string,
  overrides: RouterOverrides = {},
  env: Record<string, string> = {},
): Promise<WhoamiStack> {
  const jwks = await startJwksServer();
  const subgraph = await startWhoamiSubgraph();
  const supergraph = createSupergraphFile(
    composeSupergraph([{ name: 'whoami', url: subgraph.url, typeDefs }]),
  );
  const router = await startRouter(
    routerTestEnv({ SUPERGRAPH_PATH: supergraph.path, JWKS_URL: jwks.url, ...env }),
    overrides,
  );
  return {
    jwks,
    subgraph,
    supergraph,
    router,
    graphql: `${router.url}graphql`,
    stop: async () => {
      await router.stop();
      await subgraph.stop();
      await jwks.stop();
      supergraph.remove();
    },
  };
}

import { parse } from 'graphql';
import { createLogger } from '@supergraph/logging';
import { startSubgraphServer, type RequestContext, type SubgraphServer } from '@supergraph/server-kit';
import { TEST_INTERNAL_SECRET } from '@supergraph/testing';

/**
 * A subgraph with no database, on the real server kit (so it refuses any request the router did not
 * sign), on a free port: what a router test puts behind the router to see what reaches a subgraph.
 */
export function startPlainSubgraph(
  name: string,
  typeDefs: string,
  resolvers: object,
): Promise<SubgraphServer> {
  return startSubgraphServer<RequestContext>({
    name,
    typeDefs: parse(typeDefs),
    resolvers,
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name, level: 'silent' }),
    internalSecret: TEST_INTERNAL_SECRET,
    production: false,
    readiness: {},
    createContext: (base) => base,
  });
}

import { parse } from 'graphql';
import { badUserInput } from '@supergraph/errors';
import { createLogger } from '@supergraph/logging';
import { startSubgraphServer, type RequestContext, type SubgraphServer } from '@supergraph/server-kit';
import { TEST_INTERNAL_SECRET } from '@supergraph/testing';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const CALLER = `
  type Caller {
    userId: ID!
    role: Role!
  }
  enum Role {
    CUSTOMER
    ADMIN
  }
`;

/** The schema the test subgraph serves: who the router says the caller is, and a few failures. */
export const WHOAMI_TYPE_DEFS = `${FEDERATION}
  type Query {
    whoami: Caller
    requestId: String!
    badInput: String
    boom: String
    ping: String
  }
  ${CALLER}
`;

/** The same subgraph before `ping` was added: the supergraph a reload test starts from. */
export const WHOAMI_TYPE_DEFS_WITHOUT_PING = WHOAMI_TYPE_DEFS.replace('ping: String', '');

/** A real subgraph on the server kit, so it refuses any request the router did not sign. */
export function startWhoamiSubgraph(): Promise<SubgraphServer> {
  return startSubgraphServer<RequestContext>({
    name: 'whoami',
    typeDefs: parse(WHOAMI_TYPE_DEFS),
    resolvers: {
      Query: {
        whoami: (_: unknown, __: unknown, ctx: RequestContext) => ctx.identity,
        requestId: (_: unknown, __: unknown, ctx: RequestContext) => ctx.requestId,
        badInput: () => {
          throw badUserInput('name must not be empty', { field: 'name' });
        },
        boom: () => {
          throw new Error('relation "secret_table" does not exist');
        },
        ping: () => 'pong',
      },
    },
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ name: 'whoami', level: 'silent' }),
    internalSecret: TEST_INTERNAL_SECRET,
    production: false,
    readiness: {},
    createContext: (base) => base,
  });
}

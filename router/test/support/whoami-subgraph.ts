import { badUserInput } from '@supergraph/errors';
import type { RequestContext, SubgraphServer } from '@supergraph/server-kit';
import { startPlainSubgraph } from './plain-subgraph.ts';

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
  return startPlainSubgraph('whoami', WHOAMI_TYPE_DEFS, {
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
  });
}

// A default @apollo/gateway, the baseline of the benchmark: ApolloGateway over the same supergraph file
// inside @apollo/server's standalone server, with nothing tuned (its default make-fetch-happen fetcher,
// no plan cache sizing, no limits). Only what the subgraphs demand is added: the caller's JWT is
// verified and each subgraph request carries our signed identity headers, since every subgraph refuses
// an unsigned request. Settings come from the bench: PORT, SUPERGRAPH_PATH, INTERNAL_SECRET, JWKS_URL.
import { readFileSync } from 'node:fs';
import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { IDENTITY_HEADERS, type Identity } from '@supergraph/identity';
import { exitWithParent } from '../exit-with-parent.ts';
import { identifyCaller, requiredEnv, signedInit } from './peer-support.ts';

interface Context {
  identity: Identity | null;
}

const secret = requiredEnv('INTERNAL_SECRET');
const jwksUrl = requiredEnv('JWKS_URL');

/**
 * The default data source with our identity headers. Signing wraps the default fetcher rather than
 * replacing it: the signature covers the exact body string, which only exists at fetch time.
 */
class SignedDataSource extends RemoteGraphQLDataSource<Context> {
  constructor(config: ConstructorParameters<typeof RemoteGraphQLDataSource<Context>>[0]) {
    super(config);
    const fetcher = this.fetcher;
    this.fetcher = (url, init) => fetcher(url, signedInit(secret, url, init ?? {}));
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): void {
    if (!context.identity || !request.http) return;
    request.http.headers.set(IDENTITY_HEADERS.userId, context.identity.userId);
    request.http.headers.set(IDENTITY_HEADERS.role, context.identity.role);
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(requiredEnv('SUPERGRAPH_PATH'), 'utf8'),
  buildService: ({ url }) => new SignedDataSource({ url }),
});
const server = new ApolloServer<Context>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(requiredEnv('PORT')), host: '127.0.0.1' },
  context: async ({ req }) => ({ identity: await identifyCaller(jwksUrl, req.headers.authorization) }),
});
process.stdout.write(`apollo-gateway ready at ${url}\n`);
process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
exitWithParent();

// Hive Gateway over the same supergraph file and subgraphs, run through its own runtime on Node's HTTP
// server: the default (JavaScript) query planner, or Hive Router's Rust planner when
// BENCH_HIVE_ROUTER_RUNTIME=true. Request de-duplication is off for fairness: de-duplicating identical
// in-flight subgraph requests (Hive's default) would let a benchmark that repeats one query skip work
// the other gateways must do. The caller's JWT is checked by Hive's own JWT plugin, and each subgraph
// request is signed in its onFetch hook, where the body is the exact string sent.
// Settings come from the bench: PORT, SUPERGRAPH_PATH, INTERNAL_SECRET, JWKS_URL, BENCH_HIVE_ROUTER_RUNTIME.
import { createServer } from 'node:http';
import {
  createGatewayRuntime,
  createRemoteJwksSigningKeyProvider,
  useJWT,
  type GatewayPlugin,
  type HTTPTransportOptions,
  type JWTAuthContextExtension,
} from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { exitWithParent } from '../exit-with-parent.ts';
import { identityFromClaims, identityHeaders, requiredEnv, signedInit } from './peer-support.ts';

const secret = requiredEnv('INTERNAL_SECRET');
const rustPlanner = process.env.BENCH_HIVE_ROUTER_RUNTIME === 'true';

/** Adds our identity headers and their signature to every subgraph request. */
function useSignedSubgraphRequests(): GatewayPlugin {
  return {
    onFetch({ url, options, setOptions, context }) {
      const claims = 'jwt' in context ? (context as JWTAuthContextExtension).jwt?.payload : undefined;
      const headers = {
        ...(options.headers as Record<string, string>),
        ...identityHeaders(identityFromClaims(claims)),
      };
      setOptions(signedInit(secret, url, { ...options, headers }));
    },
  };
}

const gateway = createGatewayRuntime({
  supergraph: requiredEnv('SUPERGRAPH_PATH'),
  logging: 'warn',
  ...(rustPlanner ? { unifiedGraphHandler } : {}),
  transportEntries: {
    '*.http': { options: { deduplicateInflightRequests: false } satisfies HTTPTransportOptions },
  },
  plugins: () => [
    // The JWT plugin's typings inline their own copy of Hive's Logger class, which TypeScript cannot
    // match with the runtime's; the objects are the same at run time.
    useJWT({
      signingKeyProviders: [createRemoteJwksSigningKeyProvider({ jwksUri: requiredEnv('JWKS_URL') })],
      tokenVerification: { algorithms: ['ES256'], issuer: 'supergraph-users', audience: 'supergraph' },
      reject: { missingToken: false, invalidToken: true },
    }) as unknown as GatewayPlugin,
    useSignedSubgraphRequests(),
  ],
});

const server = createServer(gateway);
server.listen(Number(requiredEnv('PORT')), '127.0.0.1', () =>
  process.stdout.write(`hive-gateway${rustPlanner ? ' (rust planner)' : ''} ready\n`),
);
process.on('SIGTERM', () => {
  server.close();
  void Promise.resolve(gateway.dispose()).then(() => process.exit(0));
});
exitWithParent();

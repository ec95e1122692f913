// The gateways under test, each started as its own process on the gateway CPU over the same supergraph
// file and subgraphs, and the ceiling: the subgraph itself, for queries one subgraph answers alone.
import type { Managed, ProcessGroup } from './processes.ts';
import { benchPorts, GATEWAY_CPU, type Stack } from './stack.ts';

export type TargetName = 'router' | 'apollo-gateway' | 'hive-gateway' | 'hive-gateway-rust' | 'direct';

export const TARGET_NAMES: readonly TargetName[] = [
  'router',
  'apollo-gateway',
  'hive-gateway',
  'hive-gateway-rust',
  'direct',
];

export const isTargetName = (name: string): name is TargetName =>
  (TARGET_NAMES as readonly string[]).includes(name);

export const TARGET_TITLES: Record<TargetName, string> = {
  router: 'our router',
  'apollo-gateway': '@apollo/gateway (default)',
  'hive-gateway': 'Hive Gateway',
  'hive-gateway-rust': 'Hive Gateway + Rust planner',
  direct: 'subgraph directly (ceiling)',
};

export interface Target {
  name: TargetName;
  /** Where the load goes (the GraphQL endpoint's origin). */
  origin: string;
  /** The process whose CPU and memory are measured. */
  process: Managed;
  /** Set for the subgraph itself: requests must be signed, as only the router's are accepted. */
  internalSecret?: string;
}

const HIGH_LIMIT = String(1_000_000_000);

/**
 * Waits until a GraphQL endpoint answers `{ __typename }` (the peers share no readiness route); the
 * header satisfies Apollo Server's CSRF prevention for a GET.
 */
async function waitGraphQL(group: ProcessGroup, managed: Managed, origin: string): Promise<void> {
  await group.waitReady(managed, `${origin}/graphql?query=%7B__typename%7D`, {
    'apollo-require-preflight': 'true',
  });
}

export async function startTarget(
  name: TargetName,
  stack: Stack,
  options: { group: ProcessGroup; portBase: number; redisPrefix: string },
): Promise<Target> {
  const { group } = options;
  const ports = benchPorts(options.portBase);
  const peerEnv = (port: number) => ({
    ...stack.env,
    PORT: String(port),
    SUPERGRAPH_PATH: stack.supergraphPath,
    JWKS_URL: stack.jwksUrl,
  });

  if (name === 'direct') {
    const products = stack.subgraphs.find((subgraph) => subgraph.name === 'products');
    if (!products) throw new Error('the products subgraph is not running');
    return {
      name,
      origin: products.origin,
      process: products.process,
      internalSecret: stack.env.INTERNAL_SECRET,
    };
  }
  if (name === 'router') {
    const managed = group.launch(
      'router',
      'router/src/main.ts',
      {
        ...peerEnv(ports.router),
        // The bench's callers send far more than any person would; the limits would refuse them.
        RATE_LIMIT_QUERIES_PER_MINUTE: HIGH_LIMIT,
        RATE_LIMIT_MUTATIONS_PER_MINUTE: HIGH_LIMIT,
        RATE_LIMIT_KEY_PREFIX: `${options.redisPrefix}:rate-limit`,
        APQ_KEY_PREFIX: `${options.redisPrefix}:`,
      },
      GATEWAY_CPU,
    );
    const origin = `http://127.0.0.1:${ports.router}`;
    await group.waitReady(managed, `${origin}/ready`);
    return { name, origin, process: managed };
  }
  const port = {
    'apollo-gateway': ports.apolloGateway,
    'hive-gateway': ports.hiveGateway,
    'hive-gateway-rust': ports.hiveGatewayRust,
  }[name];
  const entry =
    name === 'apollo-gateway'
      ? 'scripts/bench/peers/apollo-gateway.ts'
      : 'scripts/bench/peers/hive-gateway.ts';
  const managed = group.launch(
    name,
    entry,
    { ...peerEnv(port), BENCH_HIVE_ROUTER_RUNTIME: String(name === 'hive-gateway-rust') },
    GATEWAY_CPU,
  );
  const origin = `http://127.0.0.1:${port}`;
  await waitGraphQL(group, managed, origin);
  return { name, origin, process: managed };
}

// The gateways under test, each started as its own process on the gateway CPU over the same supergraph
// file and subgraphs (the shop's, or the lean ones of the gateways-bench scenario), and the ceiling: the
// subgraph itself, for queries one subgraph answers alone.
import { routerNodeOptions } from '../../router/src/node-options.ts';
import type { Backend } from './backend.ts';
import type { Managed, ProcessGroup } from './processes.ts';
import { benchPorts, GATEWAY_CPU } from './stack.ts';

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

/** How a target is named in tables and logs: its title, and the variant's name after it. */
export function targetTitle(target: { name: TargetName; variant?: string | undefined }): string {
  return target.variant ? `${TARGET_TITLES[target.name]} [${target.variant}]` : TARGET_TITLES[target.name];
}

/** How a target is named in progress lines and JSON: `router`, `router[no-otel]`. */
export const targetLabel = (target: { name: TargetName; variant?: string | undefined }): string =>
  target.variant ? `${target.name}[${target.variant}]` : target.name;

/** A router started with settings of its own (--router-variant): an A/B of a setting in one run. */
export interface RouterVariant {
  name: string;
  env: Record<string, string>;
}

export interface Target {
  name: TargetName;
  /** A router started with settings of its own (--router-variant). */
  variant?: string;
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
  backend: Backend,
  options: {
    group: ProcessGroup;
    portBase: number;
    redisPrefix: string;
    variant?: { index: number } & RouterVariant;
  },
): Promise<Target> {
  const { group } = options;
  const ports = benchPorts(options.portBase);
  const peerEnv = (port: number) => ({
    ...backend.env,
    PORT: String(port),
    SUPERGRAPH_PATH: backend.supergraphPath,
    JWKS_URL: backend.jwksUrl,
  });

  if (name === 'direct') {
    const products = backend.subgraphs.find((subgraph) => subgraph.name === 'products');
    if (!products) throw new Error('the products subgraph is not running');
    return {
      name,
      origin: products.origin,
      process: products.process,
      internalSecret: backend.env.INTERNAL_SECRET,
    };
  }
  if (name === 'router') {
    const { variant } = options;
    const port = variant ? ports.routerVariant(variant.index) : ports.router;
    const managed = group.launch(
      variant ? `router-${variant.name}` : 'router',
      'router/src/main.ts',
      {
        ...peerEnv(port),
        ...backend.routerEnv,
        // The bench's callers send far more than any person would; the limits would refuse them.
        RATE_LIMIT_QUERIES_PER_MINUTE: HIGH_LIMIT,
        RATE_LIMIT_MUTATIONS_PER_MINUTE: HIGH_LIMIT,
        RATE_LIMIT_KEY_PREFIX: `${options.redisPrefix}:rate-limit`,
        APQ_KEY_PREFIX: `${options.redisPrefix}:`,
        // As it is deployed (router/src/node-options.ts); a variant may set NODE_OPTIONS of its own.
        NODE_OPTIONS: routerNodeOptions(process.env.NODE_OPTIONS),
        ...variant?.env,
      },
      GATEWAY_CPU,
    );
    const origin = `http://127.0.0.1:${port}`;
    await group.waitReady(managed, `${origin}/ready`);
    return { name, origin, process: managed, ...(variant ? { variant: variant.name } : {}) };
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

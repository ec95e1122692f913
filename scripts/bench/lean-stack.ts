// The supergraph of the gateways-bench scenario: the public graphql-gateways-benchmark's four subgraphs
// (accounts, inventory, products, reviews), each a lean in-memory subgraph in a process of its own,
// pinned where the shop's subgraphs are, and composed into a supergraph file of their own whose routing
// URLs point at them. No database: the gateways are measured against subgraphs that cost little.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devSecrets } from '../dev-env.ts';
import type { Backend, BenchSubgraph, SubgraphRequests } from './backend.ts';
import type { LeanCounts } from './lean-subgraphs/server.ts';
import { composeLeanSupergraph } from './lean-subgraphs/supergraph.ts';
import { LEAN_SUBGRAPH_NAMES, type LeanSubgraphName } from './lean-subgraphs/subgraphs.ts';
import type { ProcessGroup } from './processes.ts';
import { benchPorts, checkPortsFree, gatewayPorts, removeKeys, SUPPORT_CPU } from './stack.ts';

export interface LeanStackOptions {
  group: ProcessGroup;
  portBase: number;
  logDir: string;
  logLevel: string;
  redisUrl: string;
  /** Keeps the router's rate-limit counters and persisted queries apart in a Redis others use. */
  redisPrefix: string;
}

/**
 * What our router needs to serve this supergraph besides the bench's settings: where each subgraph is
 * (the supergraph's routing URLs say it too; SUBGRAPH_URLS says it as a deployment would). Its default
 * limits admit the benchmark's query (depth 8 of 10 with fragments flattened, cost 653 of 10,000, no
 * aliases or directives), so none is raised.
 */
function leanRouterEnv(urls: Record<LeanSubgraphName, string>): Record<string, string> {
  return { SUBGRAPH_URLS: LEAN_SUBGRAPH_NAMES.map((name) => `${name}=${urls[name]}`).join(',') };
}

async function leanCounts(subgraphs: readonly BenchSubgraph[]): Promise<Record<string, SubgraphRequests>> {
  const entries = await Promise.all(
    subgraphs.map(async ({ name, origin }) => {
      const counts = (await (await fetch(`${origin}/counts`)).json()) as LeanCounts;
      return [name, counts] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export async function startLeanStack(options: LeanStackOptions): Promise<Backend> {
  const { group } = options;
  const ports = benchPorts(options.portBase);
  const leanPorts = LEAN_SUBGRAPH_NAMES.map((_, index) => ports.leanSubgraph(index));
  await checkPortsFree([...gatewayPorts(options.portBase), ...leanPorts]);
  await removeKeys(options.redisUrl, options.redisPrefix);

  const origins = Object.fromEntries(
    LEAN_SUBGRAPH_NAMES.map((name, index) => [name, `http://127.0.0.1:${leanPorts[index]}`]),
  ) as Record<LeanSubgraphName, string>;
  const urls = Object.fromEntries(
    LEAN_SUBGRAPH_NAMES.map((name) => [name, `${origins[name]}/graphql`]),
  ) as Record<LeanSubgraphName, string>;
  const supergraphPath = join(options.logDir, 'supergraph.graphql');
  writeFileSync(supergraphPath, composeLeanSupergraph(urls));

  const subgraphs: BenchSubgraph[] = LEAN_SUBGRAPH_NAMES.map((name, index) => ({
    name,
    url: urls[name],
    origin: origins[name],
    process: group.launch(
      name,
      'scripts/bench/lean-subgraphs/main.ts',
      { BENCH_LEAN_SUBGRAPH: name, PORT: String(leanPorts[index]), HOST: '127.0.0.1' },
      SUPPORT_CPU,
    ),
  }));
  await Promise.all(
    subgraphs.map((subgraph) => group.waitReady(subgraph.process, `${subgraph.origin}/ready`)),
  );

  return {
    subgraphs,
    supergraphPath,
    // No caller of this scenario sends a token; a gateway asked to verify one would find no key set
    // here (404) and refuse it, rather than accept it.
    jwksUrl: `${origins.accounts}/.well-known/jwks.json`,
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: options.logLevel,
      REDIS_URL: options.redisUrl,
      INTERNAL_SECRET: devSecrets().INTERNAL_SECRET,
    },
    routerEnv: leanRouterEnv(urls),
    requestCounts: () => leanCounts(subgraphs),
    removeRedisKeys: () => removeKeys(options.redisUrl, options.redisPrefix),
  };
}

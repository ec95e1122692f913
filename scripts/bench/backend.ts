// What the targets run on and the rounds measure behind them: a supergraph file and the subgraph
// processes it routes to. Two kinds: the shop's own subgraphs on Postgres (stack.ts) and the lean
// in-memory subgraphs of the public gateways benchmark (lean-stack.ts).
import type { Managed } from './processes.ts';
import type { StatementCounts } from './sql-proxy.ts';

export interface BenchSubgraph {
  name: string;
  url: string;
  origin: string;
  process: Managed;
}

/**
 * What a subgraph has answered so far. A batch (a JSON array of operations in one HTTP request) counts as
 * one request and as its size in operations; `batches` is kept where the subgraph counts them (the lean
 * ones do; the shop's /metrics cannot tell a batch from single operations).
 */
export interface SubgraphRequests {
  requests: number;
  operations: number;
  batches?: number;
}

export interface Backend {
  subgraphs: BenchSubgraph[];
  /** The composed supergraph, its routing URLs those of the subgraphs above. */
  supergraphPath: string;
  jwksUrl: string;
  /** Variables every process of the bench shares. */
  env: Record<string, string>;
  /** Settings our router needs on this supergraph besides the bench's own. */
  routerEnv: Record<string, string>;
  /** The statement-counting proxy, measured apart: it is the bench's, not the supergraph's. */
  sqlProxy?: Managed;
  requestCounts: () => Promise<Record<string, SubgraphRequests>>;
  /** SQL statements so far by role; absent where the subgraphs speak no SQL or none is counted. */
  sqlCounts?: () => Promise<Record<string, StatementCounts>>;
  /** Removes the keys the bench's processes left in Redis under its prefix. */
  removeRedisKeys: () => Promise<number>;
}

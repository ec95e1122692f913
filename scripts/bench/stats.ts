// Combining a target's rounds into one result. Throughput and CPU are totals over all rounds (work done
// over time spent); latency percentiles are the median of the rounds' own, since percentiles do not add.
import type { SubgraphCost } from './costs.ts';
import type { ScenarioName } from './scenarios.ts';
import type { TargetName } from './targets.ts';

export interface RoundResult {
  responses: number;
  sent: number;
  durationSeconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time of the process under test during the round; null where /proc cannot be read. */
  cpuMs: number | null;
  /** CPU time of the subgraph processes (their workers excluded) during the round. */
  subgraphCpuMs: number | null;
  /** CPU time of the SQL-counting proxy during the round. */
  sqlProxyCpuMs: number | null;
  /**
   * CPU time during the round by process: `gateway` (absent for the subgraph itself as a target), each
   * subgraph by name, and `postgres` and `redis`, each summed over all their processes, whoever they
   * served. Null where /proc cannot be read.
   */
  cpuMsByProcess: Record<string, number> | null;
  /** Highest resident memory sampled during the round. */
  rssBytes: number | null;
  non2xx: number;
  socketErrors: number;
  graphqlErrors: number;
  firstError?: string;
}

export interface Aggregate {
  rounds: number;
  responses: number;
  requestsPerSecond: number;
  /** Lowest and highest round, to show how much the machine drifted. */
  requestsPerSecondRange: [number, number];
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number | null;
  /** What one core could serve if this process's CPU were the only limit: 1000 / CPU ms per request. */
  requestsPerSecondPerCore: number | null;
  subgraphCpuMsPerRequest: number | null;
  sqlProxyCpuMsPerRequest: number | null;
  /** CPU ms per request by process (RoundResult.cpuMsByProcess), then `total`, their sum. */
  cpuMsPerRequestByProcess: Record<string, number> | null;
  rssMb: number | null;
  non2xx: number;
  socketErrors: number;
  graphqlErrors: number;
  firstError?: string;
}

/** What one operation costs the subgraphs, counted with operations sent one at a time. */
export interface Cost extends SubgraphCost {
  requests: number;
  sqlStatementsPerOperation: number;
  sqlStatementsPerOperationBySubgraph: Record<string, number>;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  target: TargetName;
  /** Set for a --router-variant router. */
  variant?: string;
  aggregate: Aggregate;
  cost: Cost;
  rounds: RoundResult[];
}

export interface SqlScaleResult {
  scenario: ScenarioName;
  target: TargetName;
  scale: number;
  cost: Cost;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Each process's CPU over all rounds per request sent, in the rounds' order, then `total`. */
function byProcessPerRequest(rounds: readonly RoundResult[], sent: number): Record<string, number> | null {
  if (sent === 0 || rounds.some((round) => round.cpuMsByProcess === null)) return null;
  const totals: Record<string, number> = {};
  for (const round of rounds) {
    for (const [label, cpuMs] of Object.entries(round.cpuMsByProcess ?? {}))
      totals[label] = (totals[label] ?? 0) + cpuMs;
  }
  const perRequest = Object.entries(totals).map(([label, cpuMs]) => [label, cpuMs / sent] as const);
  return Object.fromEntries([...perRequest, ['total', sum(perRequest.map(([, value]) => value))]]);
}

export function aggregate(rounds: readonly RoundResult[]): Aggregate {
  const responses = sum(rounds.map((round) => round.responses));
  const sent = sum(rounds.map((round) => round.sent));
  const seconds = sum(rounds.map((round) => round.durationSeconds));
  const rates = rounds.map((round) => round.requestsPerSecond);
  const cpuPerRequest = (values: Array<number | null>) =>
    values.includes(null) || sent === 0 ? null : sum(values as number[]) / sent;
  const cpuMsPerRequest = cpuPerRequest(rounds.map((round) => round.cpuMs));
  const rss = rounds.map((round) => round.rssBytes).filter((value): value is number => value !== null);
  const firstError = rounds.find((round) => round.firstError)?.firstError;
  return {
    rounds: rounds.length,
    responses,
    requestsPerSecond: seconds > 0 ? responses / seconds : 0,
    requestsPerSecondRange: [Math.min(...rates), Math.max(...rates)],
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    cpuMsPerRequest,
    requestsPerSecondPerCore: cpuMsPerRequest ? 1000 / cpuMsPerRequest : null,
    subgraphCpuMsPerRequest: cpuPerRequest(rounds.map((round) => round.subgraphCpuMs)),
    sqlProxyCpuMsPerRequest: cpuPerRequest(rounds.map((round) => round.sqlProxyCpuMs)),
    cpuMsPerRequestByProcess: byProcessPerRequest(rounds, sent),
    rssMb: rss.length > 0 ? Math.max(...rss) / 1024 / 1024 : null,
    non2xx: sum(rounds.map((round) => round.non2xx)),
    socketErrors: sum(rounds.map((round) => round.socketErrors)),
    graphqlErrors: sum(rounds.map((round) => round.graphqlErrors)),
    ...(firstError ? { firstError } : {}),
  };
}

// What one operation costs the subgraphs in requests, from their counters before and after a number of
// operations sent one at a time.
import type { SubgraphRequests } from './backend.ts';

export interface SubgraphCost {
  /** HTTP requests to the subgraphs per operation: a batch counts as one. */
  subgraphRequestsPerOperation: number;
  subgraphRequestsPerOperationBySubgraph: Record<string, number>;
  /** Operations the subgraphs executed per operation: a batch counts its size (the plan's fetches). */
  subgraphOperationsPerOperation: number;
  /** Batched requests per operation; null where the subgraphs do not count batches (the shop's). */
  subgraphBatchesPerOperation: number | null;
  /** Operations in a batch, on average; null without batches or where they are not counted. */
  subgraphOperationsPerBatch: number | null;
}

export function subgraphCost(
  before: Record<string, SubgraphRequests>,
  after: Record<string, SubgraphRequests>,
  operations: number,
): SubgraphCost {
  const used = Object.entries(after).map(([name, end]) => {
    const start = before[name];
    return {
      name,
      requests: end.requests - (start?.requests ?? 0),
      operations: end.operations - (start?.operations ?? 0),
      batches: end.batches === undefined ? undefined : end.batches - (start?.batches ?? 0),
    };
  });
  const total = (pick: (entry: (typeof used)[number]) => number) =>
    used.reduce((sum, entry) => sum + pick(entry), 0);
  const requests = total((entry) => entry.requests);
  const counted = used.every((entry) => entry.batches !== undefined);
  const batches = counted ? total((entry) => entry.batches ?? 0) : null;
  // A batch's operations are what the batched requests carried beyond one operation per request.
  const batchedOperations = batches ? total((entry) => entry.operations) - (requests - batches) : 0;
  return {
    subgraphRequestsPerOperation: requests / operations,
    subgraphRequestsPerOperationBySubgraph: Object.fromEntries(
      used.filter((entry) => entry.requests > 0).map((entry) => [entry.name, entry.requests / operations]),
    ),
    subgraphOperationsPerOperation: total((entry) => entry.operations) / operations,
    subgraphBatchesPerOperation: batches === null ? null : batches / operations,
    subgraphOperationsPerBatch: batches ? batchedOperations / batches : null,
  };
}

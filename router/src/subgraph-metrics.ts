import { Gauge, Histogram, type Registry } from 'prom-client';
import type { BreakerState } from '@supergraph/resilience';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface SubgraphMetrics {
  /** Times one subgraph call; `end` takes how it went. */
  startFetch: (subgraph: string) => (outcome: 'ok' | 'http_error' | 'failed' | 'rejected') => void;
  breakerState: (subgraph: string, state: BreakerState) => void;
}

/**
 * Per-subgraph figures for /metrics, registered once per router (the gateway rebuilds its data sources
 * on every supergraph reload; the metrics must outlive them).
 */
export function createSubgraphMetrics(registry: Registry): SubgraphMetrics {
  const latency = new Histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Router to subgraph calls by subgraph and outcome (rejected: the breaker was open)',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const state = new Gauge({
    name: 'subgraph_breaker_state',
    help: "Each subgraph's circuit breaker: 0 closed, 1 half-open (probing), 2 open (failing fast)",
    labelNames: ['subgraph'] as const,
    registers: [registry],
    // Across a cluster's workers (cluster-metrics.ts), the worst breaker: one worker failing fast shows.
    aggregator: 'max',
  });
  return {
    startFetch: (subgraph) => {
      const end = latency.startTimer({ subgraph });
      return (outcome) => end({ outcome });
    },
    breakerState: (subgraph, value) => state.set({ subgraph }, STATE_VALUE[value]),
  };
}

import type { GatewayConfig } from '@apollo/gateway';
import { LRUCache } from 'lru-cache';
import { Counter, Gauge, type Registry } from 'prom-client';

type QueryPlanCache = NonNullable<NonNullable<GatewayConfig['queryPlannerConfig']>['cache']>;
type QueryPlan = NonNullable<Awaited<ReturnType<QueryPlanCache['get']>>>;

/**
 * The gateway's query plans, by operation, in a least-recently-used cache bounded by the plans'
 * serialized size (as the gateway's own default is), with its lookups, evictions and size in /metrics:
 * the hit rate says whether it is large enough for the operations clients send. The gateway empties it
 * when a new supergraph is loaded, since plans depend on the schema.
 */
export function createQueryPlanCache(options: {
  maxBytes: number;
  registry: Registry;
  /**
   * Changes a plan the gateway has just built, before it is stored. The gateway stores a new plan, then
   * runs that same object (@apollo/gateway's executor), so the change applies from its first run on.
   */
  prepare?: (plan: QueryPlan) => void;
}): QueryPlanCache {
  const registers = [options.registry];
  const lookups = new Counter({
    name: 'router_query_plan_cache_lookups_total',
    help: 'Query plan lookups by result (hit: planned before, miss: planned now)',
    labelNames: ['result'] as const,
    registers,
  });
  const evictions = new Counter({
    name: 'router_query_plan_cache_evictions_total',
    help: 'Query plans dropped to keep the cache within QUERY_PLAN_CACHE_MIB',
    registers,
  });
  const store = new LRUCache<string, QueryPlan>({
    maxSize: options.maxBytes,
    // The gateway's own measure of a plan: its JSON, which is close to what it holds in memory.
    sizeCalculation: (plan) => Math.max(1, Buffer.byteLength(JSON.stringify(plan))),
    dispose: (_plan, _key, reason) => {
      if (reason === 'evict') evictions.inc();
    },
  });
  new Gauge({
    name: 'router_query_plan_cache_entries',
    help: 'Query plans in the cache',
    registers,
    collect() {
      this.set(store.size);
    },
  });
  new Gauge({
    name: 'router_query_plan_cache_bytes',
    help: 'Size of the cached query plans, in bytes of serialized plan',
    registers,
    collect() {
      this.set(store.calculatedSize);
    },
  });
  new Gauge({
    name: 'router_query_plan_cache_max_bytes',
    help: 'The cache bound (QUERY_PLAN_CACHE_MIB), in bytes of serialized plans',
    registers,
  }).set(options.maxBytes);
  // Both labels exist from the start, so a rate over them is defined before the first miss.
  lookups.inc({ result: 'hit' }, 0);
  lookups.inc({ result: 'miss' }, 0);

  return {
    async get(key) {
      const plan = store.get(key);
      lookups.inc({ result: plan ? 'hit' : 'miss' });
      return plan;
    },
    async set(key, plan, setOptions) {
      options.prepare?.(plan);
      store.set(key, plan, setOptions?.ttl ? { ttl: setOptions.ttl * 1000 } : {});
    },
    delete: async (key) => store.delete(key),
    clear: () => store.clear(),
  };
}

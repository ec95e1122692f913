// How the router's V8 heap is sized, wherever it is started (scripts/start.ts, the bench; router/Dockerfile
// repeats it in its ENV). Left to itself V8 sizes the heap from the host's memory and lets garbage pile up to
// 500-600 MB on a 24 GB machine; bounded, it collects sooner and stays under 350 MB (docs/benchmarks.md)
// at some CPU cost. The young generation (semi-space) is where a subgraph answer's parsed JSON and the
// merged result live and die: at 32 MB its scavenges took a fifth of the router's CPU on the public
// gateways benchmark's query; 48 MB cut the router's CPU per operation by 10-12% there and on the nested
// read for about 65 MB more RSS, and 64 MB gained nothing more (issue 15, docs/benchmarks.md). The live set is bounded by MAX_CONCURRENT_OPERATIONS (http-handler.ts), so the bound
// is not a crash waiting for a traffic spike: 32 nested reads of 20 orders each fit with room to spare.
export const ROUTER_NODE_OPTIONS = '--max-old-space-size=256 --max-semi-space-size=48';

/** NODE_OPTIONS for a router process: the caller's own, then the heap bounds. */
export function routerNodeOptions(inherited: string | undefined): string {
  return [inherited, ROUTER_NODE_OPTIONS].filter(Boolean).join(' ');
}

import type { ServerResponse } from 'node:http';
import { sendJson } from './http-io.ts';
import type { Metrics } from './metrics.ts';
import { checkReadiness, type ReadinessCheck } from './readiness.ts';

export interface OperationalRoutes {
  readiness: Record<string, ReadinessCheck>;
  metrics: Metrics;
  /** While draining, /ready says so, and a load balancer stops sending new requests. */
  isStopping: () => boolean;
}

/**
 * /health (the process is alive), /ready (its dependencies answer) and /metrics (Prometheus), the same
 * for the router and every subgraph. Returns false when the path is none of them.
 */
export async function serveOperationalRoute(
  path: string,
  res: ServerResponse,
  routes: OperationalRoutes,
): Promise<boolean> {
  if (path === '/health') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/ready') {
    if (routes.isStopping()) {
      sendJson(res, 503, { status: 'stopping', checks: {} });
      return true;
    }
    const report = await checkReadiness(routes.readiness);
    sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
    return true;
  }
  if (path === '/metrics') {
    res.writeHead(200, { 'content-type': routes.metrics.registry.contentType });
    res.end(await routes.metrics.registry.metrics());
    return true;
  }
  return false;
}

import cluster from 'node:cluster';
import { runMain } from '@supergraph/config';
import { createLogger } from '@supergraph/logging';
import { asClusterWorker, runPrimary } from './cluster.ts';
import { loadEnv, type Env } from './env.ts';

// The environment first, to know whether this process is a router or the primary of a cluster of them
// (ROUTER_WORKERS). env.ts loads none of the modules telemetry instruments (instrumented-main.ts).
let env!: Env;
await runMain('router', async () => {
  env = loadEnv();
});

if (cluster.isPrimary && env.ROUTER_WORKERS > 1) {
  const logger = createLogger({ name: 'router', level: env.LOG_LEVEL });
  await runMain('router', () => runPrimary({ workers: env.ROUTER_WORKERS, logger }));
} else {
  // Loaded here, not above: a cluster's primary runs no router and needs neither telemetry nor Apollo.
  const { runInstrumentedMain } = await import('@supergraph/server-kit/main');
  await runInstrumentedMain(
    'router',
    async () => {
      const { startRouter } = await import('./app.ts');
      if (!cluster.isWorker) return startRouter(env);
      // Workers write to one stdout: each line names its worker, by the pid the primary logs if it exits.
      const logger = createLogger({ name: 'router', level: env.LOG_LEVEL }).child({ pid: process.pid });
      return asClusterWorker(await startRouter(env, { logger }));
    },
    // The HTTP instrumentation reads a client's traceparent before the router's handler runs.
    { trustIncomingTraceContext: env.TRUST_CLIENT_TRACE_CONTEXT },
  );
}

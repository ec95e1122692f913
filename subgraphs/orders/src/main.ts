import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('orders', async () => {
  const [{ startOrdersSubgraph }, { loadEnv }] = await Promise.all([import('./app.ts'), import('./env.ts')]);
  return startOrdersSubgraph(loadEnv());
});

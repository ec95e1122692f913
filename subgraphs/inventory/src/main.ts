import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('inventory', async () => {
  const [{ startInventorySubgraph }, { loadEnv }] = await Promise.all([
    import('./app.ts'),
    import('./env.ts'),
  ]);
  return startInventorySubgraph(loadEnv());
});

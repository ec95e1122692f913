import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('products', async () => {
  const [{ startProductsSubgraph }, { loadEnv }] = await Promise.all([
    import('./app.ts'),
    import('./env.ts'),
  ]);
  return startProductsSubgraph(loadEnv());
});

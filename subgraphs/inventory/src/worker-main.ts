import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('inventory-worker', async () => {
  const [{ startInventoryWorker }, { loadEnv }] = await Promise.all([
    import('./worker.ts'),
    import('./env.ts'),
  ]);
  return startInventoryWorker(loadEnv());
});

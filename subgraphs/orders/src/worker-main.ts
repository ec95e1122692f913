import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('orders-worker', async () => {
  const [{ startOrdersWorker }, { loadEnv }] = await Promise.all([import('./worker.ts'), import('./env.ts')]);
  return startOrdersWorker(loadEnv());
});

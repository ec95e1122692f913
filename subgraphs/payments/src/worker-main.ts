import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('payments-worker', async () => {
  const [{ startPaymentsWorker }, { loadEnv }] = await Promise.all([
    import('./worker.ts'),
    import('./env.ts'),
  ]);
  return startPaymentsWorker(loadEnv());
});

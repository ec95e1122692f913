import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('payments', async () => {
  const [{ startPaymentsSubgraph }, { loadEnv }] = await Promise.all([
    import('./app.ts'),
    import('./env.ts'),
  ]);
  return startPaymentsSubgraph(loadEnv());
});

import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('notifications', async () => {
  const [{ startNotificationsSubgraph }, { loadEnv }] = await Promise.all([
    import('./app.ts'),
    import('./env.ts'),
  ]);
  return startNotificationsSubgraph(loadEnv());
});

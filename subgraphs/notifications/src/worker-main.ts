import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('notifications-worker', async () => {
  const [{ startNotificationsWorker }, { loadEnv }] = await Promise.all([
    import('./worker.ts'),
    import('./env.ts'),
  ]);
  return startNotificationsWorker(loadEnv());
});

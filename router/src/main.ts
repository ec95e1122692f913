import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('router', async () => {
  const [{ startRouter }, { loadEnv }] = await Promise.all([import('./app.ts'), import('./env.ts')]);
  return startRouter(loadEnv());
});

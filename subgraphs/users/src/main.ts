import { runInstrumentedMain } from '@supergraph/server-kit/main';

await runInstrumentedMain('users', async () => {
  const [{ startUsersSubgraph }, { loadEnv }] = await Promise.all([import('./app.ts'), import('./env.ts')]);
  return startUsersSubgraph(loadEnv());
});

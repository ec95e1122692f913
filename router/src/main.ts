import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { startRouter } from './app.ts';
import { loadEnv } from './env.ts';

await runMain('router', async () => {
  const router = await startRouter(loadEnv());
  stopOnSignals(router.logger, router.stop);
});

import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { loadEnv } from './env.ts';
import { startNotificationsWorker } from './worker.ts';

await runMain('notifications-worker', async () => {
  const worker = await startNotificationsWorker(loadEnv());
  stopOnSignals(worker.logger, worker.stop);
});

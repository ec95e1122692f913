import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { loadEnv } from './env.ts';
import { startInventoryWorker } from './worker.ts';

await runMain('inventory-worker', async () => {
  const worker = await startInventoryWorker(loadEnv());
  stopOnSignals(worker.logger, worker.stop);
});

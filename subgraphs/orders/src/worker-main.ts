import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { loadEnv } from './env.ts';
import { startOrdersWorker } from './worker.ts';

await runMain('orders-worker', async () => {
  const worker = await startOrdersWorker(loadEnv());
  stopOnSignals(worker.logger, worker.stop);
});

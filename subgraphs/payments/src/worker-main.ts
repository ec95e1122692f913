import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { loadEnv } from './env.ts';
import { startPaymentsWorker } from './worker.ts';

await runMain('payments-worker', async () => {
  const worker = await startPaymentsWorker(loadEnv());
  stopOnSignals(worker.logger, worker.stop);
});

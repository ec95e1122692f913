import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { startPaymentsSubgraph } from './app.ts';
import { loadEnv } from './env.ts';

await runMain('payments', async () => {
  const server = await startPaymentsSubgraph(loadEnv());
  stopOnSignals(server.logger, server.stop);
});

import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { startOrdersSubgraph } from './app.ts';
import { loadEnv } from './env.ts';

await runMain('orders', async () => {
  const server = await startOrdersSubgraph(loadEnv());
  stopOnSignals(server.logger, server.stop);
});

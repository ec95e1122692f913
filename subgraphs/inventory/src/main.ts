import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { startInventorySubgraph } from './app.ts';
import { loadEnv } from './env.ts';

await runMain('inventory', async () => {
  const server = await startInventorySubgraph(loadEnv());
  stopOnSignals(server.logger, server.stop);
});

import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { startProductsSubgraph } from './app.ts';
import { loadEnv } from './env.ts';

await runMain('products', async () => {
  const server = await startProductsSubgraph(loadEnv());
  stopOnSignals(server.logger, server.stop);
});

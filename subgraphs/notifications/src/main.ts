import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { startNotificationsSubgraph } from './app.ts';
import { loadEnv } from './env.ts';

await runMain('notifications', async () => {
  const server = await startNotificationsSubgraph(loadEnv());
  stopOnSignals(server.logger, server.stop);
});

import { runMain } from '@supergraph/config';
import { stopOnSignals } from '@supergraph/server-kit';
import { startUsersSubgraph } from './app.ts';
import { loadEnv } from './env.ts';

await runMain('users', async () => {
  const server = await startUsersSubgraph(loadEnv());
  stopOnSignals(server.logger, server.stop);
});

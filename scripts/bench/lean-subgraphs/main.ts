// One lean subgraph as a process of its own, started by the bench for its gateways-bench scenario.
// Settings come from the bench: BENCH_LEAN_SUBGRAPH (accounts, inventory, products or reviews), PORT,
// and HOST (127.0.0.1 unless set).
import { z } from 'zod';
import { parseEnv, runMain } from '@supergraph/config';
import { exitWithParent } from '../exit-with-parent.ts';
import { createLeanServer } from './server.ts';
import { LEAN_SUBGRAPH_NAMES, leanSchema } from './subgraphs.ts';

const envSchema = z.object({
  BENCH_LEAN_SUBGRAPH: z.enum(LEAN_SUBGRAPH_NAMES),
  PORT: z.coerce.number().int().min(0).max(65535),
  HOST: z.string().min(1).default('127.0.0.1'),
});

await runMain('lean subgraph', async () => {
  const env = parseEnv(envSchema, process.env);
  const { server } = createLeanServer(leanSchema(env.BENCH_LEAN_SUBGRAPH));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.PORT, env.HOST, resolve);
  });
  process.stdout.write(`lean ${env.BENCH_LEAN_SUBGRAPH} subgraph ready on ${env.HOST}:${env.PORT}\n`);
  // No SIGTERM handler: there is nothing to finish (an answer is computed in one turn of the event
  // loop, and no state is kept), so the default action, ending the process, is the right one.
  exitWithParent();
});

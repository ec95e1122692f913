// The orders subgraph's migration Job: applies pending migrations to its schema, then exits.
import { runMigrationJob } from '@supergraph/db';
import { entities } from './entities.ts';

await runMigrationJob({
  name: 'orders',
  entities,
  migrationsPath: new URL('../migrations', import.meta.url).pathname,
});

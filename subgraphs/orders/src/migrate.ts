// The orders subgraph's migration Job: applies pending migrations to its schema, then exits.
// It imports no entities: runMigrationJob says why.
import { runMigrationJob } from '@supergraph/db';

await runMigrationJob({
  name: 'orders',
  migrationsPath: new URL('../migrations', import.meta.url).pathname,
});

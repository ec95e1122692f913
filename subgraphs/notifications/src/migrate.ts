// The notifications subgraph's migration Job: applies pending migrations to its schema, then exits.
import { runMigrationJob } from '@supergraph/db';
import { entities } from './entities.ts';

await runMigrationJob({
  name: 'notifications',
  entities,
  migrationsPath: new URL('../migrations', import.meta.url).pathname,
});

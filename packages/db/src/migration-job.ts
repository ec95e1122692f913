import { runMain } from '@supergraph/config';
import { loadMigrationEnv } from './env.ts';
import { openDatabase } from './open-database.ts';

export interface MigrationJobOptions {
  /** The subgraph's name, also its default schema. */
  name: string;
  migrationsPath: string;
  source?: Record<string, string | undefined>;
}

/**
 * A subgraph's migration entrypoint (`node subgraphs/<name>/src/migrate.ts`, the Kubernetes Job): applies
 * the pending migrations under the same per-schema advisory lock the APIs and workers take at start, so
 * it is safe beside them, then exits 0. A failure is one line on stderr and exit 1 (runMain).
 *
 * It maps no entities: the migration files are plain SQL, and a Job that imported the subgraph's
 * entities would load what those import too (the event tables' module brings BullMQ, GraphQL and
 * OpenTelemetry, some 1,500 modules), several times the CPU of the migrating itself.
 */
export async function runMigrationJob(options: MigrationJobOptions): Promise<void> {
  await runMain(`${options.name}-migrate`, async () => {
    const env = loadMigrationEnv(options.name, options.source);
    const orm = await openDatabase({
      clientUrl: env.DATABASE_URL,
      schema: env.DATABASE_SCHEMA,
      migrationsPath: options.migrationsPath,
      poolMax: 1,
    });
    try {
      const executed = await orm.migrator.getExecuted();
      process.stdout.write(
        `${options.name}-migrate: schema ${env.DATABASE_SCHEMA} is up to date (${executed.length} migrations applied)\n`,
      );
    } finally {
      await orm.close();
    }
  });
}

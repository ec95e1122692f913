export { openDatabase, postgresCheck, type Database, type DatabaseOptions } from './open-database.ts';
export { runMigrationJob, type MigrationJobOptions } from './migration-job.ts';
export { provisionSubgraphSchema, dropSubgraphSchema, type SchemaGrant } from './provision.ts';
export { keyedLoader } from './keyed-loader.ts';
export { withDatabaseName, describePostgresError } from './postgres-url.ts';
export { isUuid } from './ids.ts';
export { keysetCursor, type KeysetCursor, type KeysetPosition } from './keyset-cursor.ts';
export { placeholders, tableOf, timestampParser, type TimestampParser } from './plain-rows.ts';

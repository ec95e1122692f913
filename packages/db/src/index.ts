export { openDatabase, postgresCheck, type Database, type DatabaseOptions } from './open-database.ts';
export { provisionSubgraphSchema, dropSubgraphSchema, type SchemaGrant } from './provision.ts';
export { keyedLoader } from './keyed-loader.ts';
export { withDatabaseName, describePostgresError } from './postgres-url.ts';

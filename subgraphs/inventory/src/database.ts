import { openDatabase, type Database } from '@supergraph/db';
import { entities } from './entities.ts';

/**
 * Opens the inventory schema with its entities and migrations applied: what the subgraph runs on, and
 * what a queue consumer or a test that calls the stock service directly opens.
 */
export function openInventoryDatabase(options: {
  clientUrl: string;
  schema: string;
  onQuery?: (sql: string) => void;
  poolMax?: number;
}): Promise<Database> {
  return openDatabase({
    ...options,
    entities,
    migrationsPath: new URL('../migrations', import.meta.url).pathname,
  });
}

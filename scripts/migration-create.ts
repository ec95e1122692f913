// Usage: npm run migration:create -- <subgraph> [name]
//
// Writes the next migration of a subgraph from the difference between its entities (src/entities.ts)
// and its committed snapshot (migrations/.snapshot-<subgraph>.json), and updates the snapshot. It runs
// against an empty database of its own with no schema set, so the SQL it writes is unqualified and
// applies to whichever schema a deployment (or a test) uses.
import { writeFileSync } from 'node:fs';
import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { withDatabaseName } from '@supergraph/db';
import pg from 'pg';

const [subgraph, name] = process.argv.slice(2);
if (!subgraph || !/^[a-z]+$/.test(subgraph)) {
  process.stderr.write('usage: npm run migration:create -- <subgraph> [name]\n');
  process.exit(2);
}
const adminUrl = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scratch = `supergraph_migrations_${subgraph}`;
const dir = new URL(`../subgraphs/${subgraph}/`, import.meta.url);
const { entities } = (await import(new URL('src/entities.ts', dir).href)) as { entities: unknown[] };

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabaseName(adminUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

await admin(`drop database if exists ${scratch}`);
await admin(`create database ${scratch}`);
try {
  const orm = await MikroORM.init({
    clientUrl: withDatabaseName(adminUrl, scratch),
    entities: entities as never,
    extensions: [Migrator],
    migrations: {
      path: new URL('migrations', dir).pathname,
      includeWildcardSchema: true,
      snapshotName: `.snapshot-${subgraph}`,
      silent: true,
    },
  });
  try {
    const result = await orm.migrator.create(undefined, false, false, name);
    // MikroORM 7.2.1 writes the snapshot from the target schema without `includeWildcardSchema`, so with
    // every entity on the wildcard schema it records no tables and the next run would recreate them
    // all. Rewrite it from the same target schema the diff used.
    if (result.fileName) {
      const snapshot = new URL(`migrations/.snapshot-${subgraph}.json`, dir);
      writeFileSync(snapshot, JSON.stringify(orm.schema.getTargetSchema(undefined, true), null, 2));
    }
    process.stdout.write(
      result.fileName
        ? `wrote subgraphs/${subgraph}/migrations/${result.fileName}\n`
        : 'no changes: no migration written\n',
    );
  } finally {
    await orm.close(true);
  }
} finally {
  await admin(`drop database if exists ${scratch}`);
}

// Usage: npm run db:provision
// Creates the development database and, for each subgraph in supergraph.yaml, its role and schema
// (role = schema = subgraph name; the password is the name too, for local use only). Production and
// compose provision the same shape with their own scripts and real passwords.
import { provisionSubgraphSchema } from '@supergraph/db';
import { readSupergraphConfig } from './supergraph-config.ts';
import { devDatabase } from './dev-env.ts';

const { adminUrl, database } = devDatabase();
const { subgraphs } = readSupergraphConfig();
for (const { name } of subgraphs) {
  await provisionSubgraphSchema(adminUrl, { database, name, password: name });
}
process.stdout.write(`provisioned ${subgraphs.map((s) => s.name).join(', ')} in database ${database}\n`);

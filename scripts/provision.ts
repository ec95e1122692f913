// Usage: npm run db:provision
// Creates the development database and, for each subgraph in supergraph.yaml, its role and schema
// (role = schema = subgraph name; the password is the name too, for local use only). Production and
// compose provision the same shape with their own scripts and real passwords.
import { readSupergraphConfig } from './supergraph-config.ts';
import { devDatabase, provisionDevDatabase } from './dev-env.ts';

const { subgraphs } = readSupergraphConfig();
await provisionDevDatabase(subgraphs);
process.stdout.write(
  `provisioned ${subgraphs.map((s) => s.name).join(', ')} in database ${devDatabase().database}\n`,
);

import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

/**
 * The subgraph's schema.graphql is its one contract: the runtime, rover and codegen all read this file.
 */
export function loadTypeDefs(schemaFile: URL): DocumentNode {
  return parse(readFileSync(schemaFile, 'utf8'));
}

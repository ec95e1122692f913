// Reads supergraph.yaml (rover's format) and composes it with @apollo/composition, the library rover's
// own composition runs; `rover supergraph compose --config supergraph.yaml` gives the same result where
// rover can fetch its plugin.
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';

export const ROOT = new URL('../', import.meta.url);
export const SUPERGRAPH_FILE = new URL('supergraph.graphql', ROOT);

export interface SubgraphEntry {
  name: string;
  routingUrl: string;
  schemaFile: URL;
}

export function readSupergraphConfig(file = new URL('supergraph.yaml', ROOT)): {
  federationVersion: string;
  subgraphs: SubgraphEntry[];
} {
  const config = parseYaml(readFileSync(file, 'utf8')) as {
    federation_version?: string;
    subgraphs?: Record<string, { routing_url?: string; schema?: { file?: string } }>;
  };
  const subgraphs = Object.entries(config.subgraphs ?? {}).map(([name, entry]) => {
    if (!entry.routing_url || !entry.schema?.file) {
      throw new Error(`supergraph.yaml: subgraph ${name} needs routing_url and schema.file`);
    }
    return { name, routingUrl: entry.routing_url, schemaFile: new URL(entry.schema.file, file) };
  });
  return { federationVersion: String(config.federation_version ?? ''), subgraphs };
}

export type Composition = { ok: true; sdl: string } | { ok: false; errors: string[] };

export function composeSupergraph(): Composition {
  const { subgraphs } = readSupergraphConfig();
  const result = composeServices(
    subgraphs.map((subgraph) => ({
      name: subgraph.name,
      url: subgraph.routingUrl,
      typeDefs: parse(readFileSync(subgraph.schemaFile, 'utf8')),
    })),
  );
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.toString()) };
  return { ok: true, sdl: `${result.supergraphSdl.trimEnd()}\n` };
}

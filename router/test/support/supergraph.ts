import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';

/** Composes subgraph SDL into a supergraph the way `npm run compose` does. */
export function composeSupergraph(subgraphs: Array<{ name: string; url: string; typeDefs: string }>): string {
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.typeDefs) })),
  );
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

export interface SupergraphFile {
  path: string;
  /** Overwrites the file in place. */
  write: (sdl: string) => void;
  /** Writes a new file beside it and renames it over the old one, as deploy tools do. */
  replace: (sdl: string) => void;
  remove: () => void;
}

/** A supergraph file in a temporary folder of its own. */
export function createSupergraphFile(sdl: string): SupergraphFile {
  const dir = mkdtempSync(join(tmpdir(), 'router-test-'));
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, sdl);
  return {
    path,
    write: (next) => writeFileSync(path, next),
    replace: (next) => {
      writeFileSync(`${path}.next`, next);
      renameSync(`${path}.next`, path);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

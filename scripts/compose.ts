// Usage: npm run compose [-- --check]
// Composes supergraph.yaml into supergraph.graphql (committed; the router serves it). With --check it
// writes nothing and fails when the committed file is stale or composition reports errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_FILE } from './supergraph-config.ts';

const check = process.argv.includes('--check');
const composition = composeSupergraph();
if (!composition.ok) {
  process.stderr.write(`composition failed:\n${composition.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(1);
}
const current = existsSync(SUPERGRAPH_FILE) ? readFileSync(SUPERGRAPH_FILE, 'utf8') : '';
if (check) {
  if (current !== composition.sdl) {
    process.stderr.write('supergraph.graphql is stale: run npm run compose and commit it\n');
    process.exit(1);
  }
  process.stdout.write('supergraph.graphql is up to date\n');
} else if (current !== composition.sdl) {
  writeFileSync(SUPERGRAPH_FILE, composition.sdl);
  process.stdout.write('wrote supergraph.graphql\n');
} else {
  process.stdout.write('supergraph.graphql is already up to date\n');
}

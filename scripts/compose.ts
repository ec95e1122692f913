// Usage: npm run compose [-- --check]
// Composes supergraph.yaml into supergraph.graphql (committed; the router serves it) and its copy in
// deploy/base/router/, which kustomize turns into the router's ConfigMap (kustomize reads no file outside
// its folder). With --check it writes nothing and fails when either file is stale or composition
// reports errors.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { composeSupergraph, ROOT, SUPERGRAPH_FILE } from './supergraph-config.ts';

const TARGETS = [SUPERGRAPH_FILE, new URL('deploy/base/router/supergraph.graphql', ROOT)];

const check = process.argv.includes('--check');
const composition = composeSupergraph();
if (!composition.ok) {
  process.stderr.write(`composition failed:\n${composition.errors.map((e) => `  - ${e}`).join('\n')}\n`);
  process.exit(1);
}
const relative = (file: URL) => file.pathname.slice(ROOT.pathname.length);
const stale = TARGETS.filter(
  (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '') !== composition.sdl,
);
if (check) {
  if (stale.length) {
    process.stderr.write(`${stale.map(relative).join(' and ')} stale: run npm run compose and commit\n`);
    process.exit(1);
  }
  process.stdout.write('supergraph.graphql is up to date\n');
} else if (stale.length) {
  for (const file of stale) writeFileSync(file, composition.sdl);
  process.stdout.write(`wrote ${stale.map(relative).join(' and ')}\n`);
} else {
  process.stdout.write('supergraph.graphql is already up to date\n');
}

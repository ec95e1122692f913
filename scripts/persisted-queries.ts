// Usage: npm run persisted-queries [-- --check]
// Writes router/persisted-queries.json, the manifest the router's safelist mode runs (PERSISTED_QUERIES=
// safelist), from the client operations in router/operations/*.graphql, after checking each against the
// API schema of the committed supergraph.graphql. With --check it writes nothing and fails when the
// committed manifest is stale or an operation no longer validates (a schema change that breaks a client).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Supergraph } from '@apollo/federation-internals';
import {
  Kind,
  parse,
  print,
  validate,
  visit,
  type DefinitionNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';
import {
  formatManifest,
  operationId,
  type ManifestOperation,
} from '../router/src/persisted-query-manifest.ts';
import { ROOT, SUPERGRAPH_FILE } from './supergraph-config.ts';

export const OPERATIONS_DIR = new URL('router/operations/', ROOT);
export const MANIFEST_FILE = new URL('router/persisted-queries.json', ROOT);

export type ManifestBuild =
  { ok: true; text: string; operations: ManifestOperation[] } | { ok: false; errors: string[] };

/** The fragments an operation spreads, directly or through other fragments, by name. */
function fragmentsUsedBy(
  definition: OperationDefinitionNode | FragmentDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  used = new Set<string>(),
): Set<string> {
  visit(definition, {
    FragmentSpread(node) {
      const name = node.name.value;
      const fragment = fragments.get(name);
      if (used.has(name) || !fragment) return;
      used.add(name);
      fragmentsUsedBy(fragment, fragments, used);
    },
  });
  return used;
}

/**
 * Each operation's body is its own text plus the fragments it uses, sorted, so that an edit to one
 * operation or fragment changes the ids of exactly the operations that send it.
 */
export function buildManifest(
  operationsDir: URL = OPERATIONS_DIR,
  supergraphFile: URL = SUPERGRAPH_FILE,
): ManifestBuild {
  const schema = Supergraph.build(readFileSync(supergraphFile, 'utf8')).apiSchema().toGraphQLJSSchema();
  const errors: string[] = [];
  const definitions: DefinitionNode[] = [];
  const files = readdirSync(operationsDir)
    .filter((name) => name.endsWith('.graphql'))
    .sort();
  for (const file of files) {
    try {
      definitions.push(...parse(readFileSync(new URL(file, operationsDir), 'utf8')).definitions);
    } catch (error) {
      errors.push(`${file}: ${(error as Error).message}`);
    }
  }
  if (errors.length) return { ok: false, errors };

  // All files form one document, so a fragment can serve operations in several files.
  const document = { kind: Kind.DOCUMENT, definitions } as const;
  errors.push(...validate(schema, document).map((error) => error.message));
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: Array<{ name: string; node: OperationDefinitionNode }> = [];
  for (const definition of definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind !== Kind.OPERATION_DEFINITION) {
      errors.push(`only operations and fragments belong in router/operations, found ${definition.kind}`);
    } else if (!definition.name) {
      errors.push(`every operation needs a name; one ${definition.operation} has none`);
    } else operations.push({ name: definition.name.value, node: definition });
  }
  if (errors.length) return { ok: false, errors };

  const entries = operations
    .map(({ name, node }): ManifestOperation => {
      const used = [...fragmentsUsedBy(node, fragments)].sort();
      const parts = [node, ...used.flatMap((fragment) => fragments.get(fragment) ?? [])];
      const body = parts.map((part) => print(part)).join('\n\n');
      return { id: operationId(body), name, type: node.operation, body };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { ok: true, text: formatManifest(entries), operations: entries };
}

function main(): void {
  const check = process.argv.includes('--check');
  const build = buildManifest();
  if (!build.ok) {
    process.stderr.write(
      `router/operations do not validate:\n${build.errors.map((e) => `  - ${e}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  const current = existsSync(MANIFEST_FILE) ? readFileSync(MANIFEST_FILE, 'utf8') : '';
  if (check) {
    if (current !== build.text) {
      process.stderr.write(
        'router/persisted-queries.json is stale: run npm run persisted-queries and commit it\n',
      );
      process.exit(1);
    }
    process.stdout.write(
      `router/persisted-queries.json is up to date (${build.operations.length} operations)\n`,
    );
  } else if (current !== build.text) {
    writeFileSync(MANIFEST_FILE, build.text);
    process.stdout.write(`wrote router/persisted-queries.json (${build.operations.length} operations)\n`);
  } else {
    process.stdout.write('router/persisted-queries.json is already up to date\n');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();

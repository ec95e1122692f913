// The breaking-change check against real git repositories made in a temp folder: a main branch, a
// feature branch, commits with and without the `Schema-Change: breaking` trailer, a shallow clone and a
// folder without history. The supergraph in each repository is composed the way `npm run compose` does.
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { composeServices } from '@apollo/composition';
import { buildSchema, parse } from 'graphql';
import { checkSchemas, formatReport, passes, type SchemaCheckReport } from '../scripts/schema-check.ts';
import { breakingChanges } from '../scripts/schema-diff.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/schema-check.ts', import.meta.url));
const PRODUCTS = 'subgraphs/products/schema.graphql';
const REVIEWS = 'subgraphs/reviews/schema.graphql';

// Commits need an identity; the user's own git config (signing, hooks) must not leak in.
const GIT_ENV = {
  ...process.env,
  GIT_DIR: undefined,
  GIT_WORK_TREE: undefined,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Schema Check',
  GIT_AUTHOR_EMAIL: 'schema-check@example.com',
  GIT_COMMITTER_NAME: 'Schema Check',
  GIT_COMMITTER_EMAIL: 'schema-check@example.com',
};

const PRODUCTS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@inaccessible"])

type Product @key(fields: "id") {
  id: ID!
  name: String!
  "Read by other subgraphs only."
  warehouseCode: String @inaccessible
}

type Query {
  product(id: ID!, currency: String): Product
}
`;

const REVIEWS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

type Product @key(fields: "id") {
  id: ID!
  reviews: [Review!]!
}

type Review {
  id: ID!
  body: String!
}
`;

const folders: string[] = [];
afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'schema-check-'));
  folders.push(folder);
  return folder;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
}

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** Writes the subgraph schemas, supergraph.yaml and the supergraph composed from them. */
function writeGraph(dir: string, subgraphs: Record<string, string>, port = 4001): void {
  const yaml = Object.keys(subgraphs)
    .map((name, i) => {
      const url = `http://localhost:${port + i}/graphql`;
      return `  ${name}:\n    routing_url: ${url}\n    schema:\n      file: ./subgraphs/${name}/schema.graphql\n`;
    })
    .join('');
  write(dir, 'supergraph.yaml', `federation_version: =2.14.4\nsubgraphs:\n${yaml}`);
  const services = Object.entries(subgraphs).map(([name, sdl], i) => {
    write(dir, `subgraphs/${name}/schema.graphql`, sdl);
    return { name, url: `http://localhost:${port + i}/graphql`, typeDefs: parse(sdl) };
  });
  const composed = composeServices(services);
  if (composed.errors) throw new Error(composed.errors.map(String).join('\n'));
  write(dir, 'supergraph.graphql', composed.supergraphSdl);
}

function commit(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

/** A repository whose main branch has one commit: the products and reviews subgraphs. */
function repoOnMain(): string {
  const dir = tempFolder();
  git(dir, 'init', '-q', '-b', 'main');
  writeGraph(dir, { products: PRODUCTS_SDL, reviews: REVIEWS_SDL });
  commit(dir, 'Add the products and reviews subgraphs');
  return dir;
}

function repoOnBranch(): string {
  const dir = repoOnMain();
  git(dir, 'switch', '-q', '-c', 'feature');
  return dir;
}

const lines = (report: SchemaCheckReport) => report.breaking.map((b) => `${b.file}: ${b.change}`);

describe('schema check', () => {
  it('passes a branch that only adds to the schema, comparing with its merge-base with main', async () => {
    const dir = repoOnBranch();
    writeGraph(dir, {
      products: PRODUCTS_SDL.replace('name: String!', 'name: String!\n  description: String'),
      reviews: REVIEWS_SDL,
    });
    commit(dir, 'Add Product.description');

    const report = await checkSchemas(dir);
    expect(report.breaking).toEqual([]);
    expect(passes(report)).toBe(true);
    expect(report.base).toEqual({
      commit: git(dir, 'rev-parse', 'main').trim(),
      how: 'merge-base of HEAD and main',
    });
    expect(formatReport(report)).toMatch(/^schema check: no breaking changes against [0-9a-f]{12} /);
  });

  it('fails a removed field, in the subgraph and in the supergraph, and says how to mark it intended', async () => {
    const dir = repoOnBranch();
    writeGraph(dir, { products: PRODUCTS_SDL.replace('name: String!', ''), reviews: REVIEWS_SDL });
    commit(dir, 'Drop Product.name');

    const report = await checkSchemas(dir);
    expect(passes(report)).toBe(false);
    expect(lines(report)).toEqual([
      `${PRODUCTS}: Field 'name' was removed from object type 'Product'`,
      `supergraph.graphql: Field 'name' was removed from object type 'Product'`,
    ]);
    const printed = formatReport(report).split('\n');
    expect(printed).toContain(
      `  ${PRODUCTS}: Field 'name' was removed from object type 'Product' - breaks clients: operations that select it fail validation`,
    );
    expect(printed).toContain('  git commit --amend --trailer "Schema-Change: breaking"');
  });

  it('fails an argument that turns from nullable to required', async () => {
    const dir = repoOnBranch();
    writeGraph(dir, {
      products: PRODUCTS_SDL.replace('currency: String)', 'currency: String!)'),
      reviews: REVIEWS_SDL,
    });
    commit(dir, 'Require a currency');

    const report = await checkSchemas(dir);
    expect(passes(report)).toBe(false);
    expect(lines(report)).toEqual([
      `${PRODUCTS}: Type for argument 'currency' on field 'Query.product' changed from 'String' to 'String!'`,
      `supergraph.graphql: Type for argument 'currency' on field 'Query.product' changed from 'String' to 'String!'`,
    ]);
  });

  it('passes the same break when a commit since the base carries "Schema-Change: breaking"', async () => {
    const dir = repoOnBranch();
    writeGraph(dir, { products: PRODUCTS_SDL.replace('name: String!', ''), reviews: REVIEWS_SDL });
    commit(dir, 'Drop Product.name\n\nEvery client reads title now.\n\nSchema-Change: breaking');
    write(dir, 'notes.txt', 'unrelated\n');
    commit(dir, 'Add notes');

    const report = await checkSchemas(dir);
    expect(report.breaking).toHaveLength(2);
    expect(report.intendedBy).toEqual([
      `${git(dir, 'rev-parse', '--short', 'HEAD^').trim()} Drop Product.name`,
    ]);
    expect(passes(report)).toBe(true);
    expect(formatReport(report)).toContain('marked intended by');
  });

  it('does not take the trailer from a commit that main already had', async () => {
    const dir = repoOnMain();
    write(dir, 'notes.txt', 'unrelated\n');
    commit(dir, 'Add notes\n\nSchema-Change: breaking');
    git(dir, 'switch', '-q', '-c', 'feature');
    writeGraph(dir, { products: PRODUCTS_SDL.replace('name: String!', ''), reviews: REVIEWS_SDL });
    commit(dir, 'Drop Product.name');

    const report = await checkSchemas(dir);
    expect(report.intendedBy).toEqual([]);
    expect(passes(report)).toBe(false);
  });

  it('on main checks the commit that lands the change: HEAD against its first parent', async () => {
    const dir = repoOnMain();
    writeGraph(dir, {
      products: PRODUCTS_SDL,
      reviews: REVIEWS_SDL.replace('body: String!', 'body: String'),
    });
    commit(dir, 'Let a review have no body');

    const landing = await checkSchemas(dir);
    expect(landing.base?.how).toBe('HEAD^, as HEAD is on main');
    expect(lines(landing)).toEqual([
      `${REVIEWS}: Field 'Review.body' changed type from 'String!' to 'String'`,
      `supergraph.graphql: Field 'Review.body' changed type from 'String!' to 'String'`,
    ]);
    expect(passes(landing)).toBe(false);

    write(dir, 'notes.txt', 'unrelated\n');
    commit(dir, 'Add notes');
    const next = await checkSchemas(dir);
    expect(next.breaking).toEqual([]);
    expect(passes(next)).toBe(true);
  });

  it("compares the supergraph's API schema: routing and @inaccessible fields are the subgraphs' business", async () => {
    const dir = repoOnBranch();
    const products = PRODUCTS_SDL.replace(/^.*\n.*warehouseCode.*\n/m, '');
    writeGraph(dir, { products, reviews: REVIEWS_SDL }, 5001);
    commit(dir, 'Move the subgraphs to new ports and drop the warehouse code');

    const report = await checkSchemas(dir);
    // Clients never saw warehouseCode, but the router and other subgraphs did.
    expect(lines(report)).toEqual([
      `${PRODUCTS}: Field 'warehouseCode' was removed from object type 'Product'`,
    ]);
  });

  it("passes a change to federation's own directives, which no operation can use", async () => {
    const dir = repoOnBranch();
    // Importing @tag renames federation__tag to tag in the subgraph schema.
    writeGraph(dir, {
      products: PRODUCTS_SDL.replace('"@inaccessible"]', '"@inaccessible", "@tag"]'),
      reviews: REVIEWS_SDL,
    });
    commit(dir, 'Import @tag in products');

    expect((await checkSchemas(dir)).breaking).toEqual([]);
  });

  it('still fails the removal of a directive that operations can use', async () => {
    const before = buildSchema(
      'directive @upper on FIELD\ndirective @audit on OBJECT\ntype Query { a: String }',
    );
    const after = buildSchema('type Query { a: String }');

    expect(await breakingChanges(before, after)).toEqual([
      {
        change: "Directive 'upper' was removed",
        reason: 'operations that use the directive fail validation',
      },
    ]);
  });

  it('fails a subgraph removed from supergraph.yaml', async () => {
    const dir = repoOnBranch();
    writeGraph(dir, { products: PRODUCTS_SDL });
    commit(dir, 'Retire the reviews subgraph');

    const report = await checkSchemas(dir);
    expect(lines(report)).toEqual([
      "supergraph.yaml: Subgraph 'reviews' was removed",
      "supergraph.graphql: Type 'Review' was removed",
      "supergraph.graphql: Field 'reviews' was removed from object type 'Product'",
    ]);
  });

  it('passes with a notice where there is no git history, as in an unpacked tarball', async () => {
    const dir = tempFolder();
    writeGraph(dir, { products: PRODUCTS_SDL });

    const report = await checkSchemas(dir);
    expect(passes(report)).toBe(true);
    expect(formatReport(report)).toBe(
      'schema check: nothing to compare with (not a git checkout, so no history); skipped',
    );
  });

  it('fetches the one commit a shallow clone lacks, and refuses when the remote cannot give it', async () => {
    const origin = repoOnMain();
    writeGraph(origin, { products: PRODUCTS_SDL.replace('name: String!', ''), reviews: REVIEWS_SDL });
    commit(origin, 'Drop Product.name');
    const dir = tempFolder();
    git(dir, 'clone', '-q', '--depth', '1', `file://${origin}`, '.');

    // CI clones one commit deep: the check deepens by one and still sees the break.
    const report = await checkSchemas(dir);
    expect(report.base?.how).toBe('HEAD^, as HEAD is on main');
    expect(report.breaking.map((found) => found.change)).toContain(
      "Field 'name' was removed from object type 'Product'",
    );

    const orphan = tempFolder();
    git(orphan, 'clone', '-q', '--depth', '1', `file://${origin}`, '.');
    rmSync(origin, { recursive: true, force: true });
    await expect(checkSchemas(orphan)).rejects.toMatchObject({
      code: 'SHALLOW_CLONE',
      message: expect.stringContaining('git fetch --unshallow'),
    });
  });

  it('exits 1 from the command line with one line per breaking change', async () => {
    const dir = repoOnBranch();
    writeGraph(dir, { products: PRODUCTS_SDL.replace('name: String!', ''), reviews: REVIEWS_SDL });
    commit(dir, 'Drop Product.name');

    const run = promisify(execFile)(process.execPath, [SCRIPT, '--dir', dir], { env: GIT_ENV });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`  ${PRODUCTS}: Field 'name' was removed from object type 'Product'`),
    });
  });
});

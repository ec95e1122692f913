// Usage: npm run schema:check [-- --base <rev>] [--dir <checkout>]   (--dir: this repository unless given)
// Fails when a subgraph schema or the supergraph's API schema breaks its clients compared with main,
// unless a commit since the base carries the trailer `Schema-Change: breaking`.
//
// The base: on a branch, the merge-base of HEAD and main (origin/main when there is no local main), so
// only the branch's own changes count. When HEAD is on main (CI runs on a fresh clone of main), HEAD's
// first parent, so the commit that lands a change is the one checked. `--base <rev>` overrides both.
// The working tree's files are compared (in CI that is HEAD), so a break shows before it is committed.
// Without git history (an unpacked tarball) there is nothing to compare: the check passes with a notice.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { GraphQLSchema } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { apiSchemaOf, breakingChanges, type SchemaBreak, subgraphSchemaOf } from './schema-diff.ts';

export const INTENT_TRAILER = 'Schema-Change';
export const INTENT_VALUE = 'breaking';
const SUPERGRAPH_CONFIG = 'supergraph.yaml';
const SUPERGRAPH_SCHEMA = 'supergraph.graphql';
const MAIN_REFS = ['refs/heads/main', 'refs/remotes/origin/main'];

export type SchemaCheckErrorCode =
  'GIT_MISSING' | 'GIT_FAILED' | 'NO_MAIN' | 'SHALLOW_CLONE' | 'BAD_BASE' | 'INVALID_SCHEMA';

export class SchemaCheckError extends Error {
  readonly code: SchemaCheckErrorCode;
  constructor(code: SchemaCheckErrorCode, message: string) {
    super(message);
    this.name = 'SchemaCheckError';
    this.code = code;
  }
}

export interface Base {
  commit: string;
  /** How the base was chosen, for the report. */
  how: string;
}

export interface BreakingChange extends SchemaBreak {
  file: string;
}

export interface SchemaCheckReport {
  /** Null when there is no history to compare with; `notice` says why. */
  base: Base | null;
  notice?: string;
  breaking: BreakingChange[];
  /** Commits between the base and HEAD that mark a breaking change as intended ("<sha> <subject>"). */
  intendedBy: string[];
}

/** Git in the checkout at `dir`, whatever GIT_DIR a hook or wrapper may have exported. */
async function git(dir: string, args: string[]): Promise<string> {
  const env = { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined };
  try {
    const { stdout } = await promisify(execFile)('git', args, { cwd: dir, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    if (code === 'ENOENT') throw new SchemaCheckError('GIT_MISSING', 'git is not installed: install git');
    throw new SchemaCheckError(
      'GIT_FAILED',
      `git ${args.join(' ')} failed: ${stderr?.trim() || String(error)}`,
    );
  }
}

/** The commit `rev` names, or null when it names none. */
async function resolveCommit(dir: string, rev: string): Promise<string | null> {
  try {
    return (await git(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim();
  } catch (error) {
    if ((error as SchemaCheckError).code === 'GIT_MISSING') throw error;
    return null;
  }
}

async function isShallow(dir: string): Promise<boolean> {
  return (await git(dir, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
}

/**
 * CI systems often clone one commit deep; one more commit from the remote is all the check needs on
 * main. Null when the clone is not shallow or the remote cannot give it.
 */
async function deepenForParent(dir: string): Promise<string | null> {
  if (!(await isShallow(dir))) return null;
  try {
    await git(dir, ['fetch', '--quiet', '--deepen=1']);
  } catch {
    return null;
  }
  return resolveCommit(dir, 'HEAD^1');
}

function shallowError(): SchemaCheckError {
  return new SchemaCheckError(
    'SHALLOW_CLONE',
    'the clone is too shallow to find the base commit: fetch more history (git fetch --unshallow) or pass --base <rev>',
  );
}

/** The commit to compare with, or `{ none: why }` when HEAD has nothing before it. */
export async function findBase(dir: string, explicit?: string): Promise<Base | { none: string }> {
  if (explicit) {
    const commit = await resolveCommit(dir, explicit);
    if (!commit)
      throw new SchemaCheckError('BAD_BASE', `--base ${explicit} names no commit in this repository`);
    return { commit, how: `--base ${explicit}` };
  }
  const head = await resolveCommit(dir, 'HEAD');
  if (!head) return { none: 'the repository has no commits yet' };
  const main = await firstExisting(dir, MAIN_REFS);
  if (!main) {
    throw new SchemaCheckError(
      'NO_MAIN',
      'neither main nor origin/main exists to compare with: run git fetch origin main, or pass --base <rev>',
    );
  }
  const mergeBase = await mergeBaseOf(dir, head, main);
  if (mergeBase !== head) return { commit: mergeBase, how: `merge-base of HEAD and ${shortRef(main)}` };
  const parent = (await resolveCommit(dir, 'HEAD^1')) ?? (await deepenForParent(dir));
  if (parent) return { commit: parent, how: 'HEAD^, as HEAD is on main' };
  if (await isShallow(dir)) throw shallowError();
  return { none: 'HEAD is the first commit' };
}

async function firstExisting(dir: string, refs: string[]): Promise<string | null> {
  for (const ref of refs) {
    if (await resolveCommit(dir, ref)) return ref;
  }
  return null;
}

async function mergeBaseOf(dir: string, head: string, main: string): Promise<string> {
  try {
    return (await git(dir, ['merge-base', head, main])).trim();
  } catch (error) {
    if (await isShallow(dir)) throw shallowError();
    throw error;
  }
}

const shortRef = (ref: string) => ref.replace(/^refs\/(heads|remotes)\//, '');

/** Commits in base..HEAD whose message carries `Schema-Change: breaking`, as "<sha> <subject>". */
export async function intendedBreaks(dir: string, base: string): Promise<string[]> {
  const format = `%h %s%x00%(trailers:key=${INTENT_TRAILER},valueonly)%x1e`;
  const log = await git(dir, ['log', `--format=${format}`, `${base}..HEAD`]);
  return log.split('\x1e').flatMap((record) => {
    const [commit = '', values = ''] = record.trim().split('\x00');
    const marked = values.split('\n').some((value) => value.trim().toLowerCase() === INTENT_VALUE);
    return marked ? [commit] : [];
  });
}

/** A file's text at `commit`, or null when it did not exist there. */
async function fileAt(dir: string, commit: string, path: string): Promise<string | null> {
  const listed = await git(dir, ['ls-tree', '--name-only', commit, '--', path]);
  return listed.trim() ? git(dir, ['show', `${commit}:${path}`]) : null;
}

function fileNow(dir: string, path: string): string | null {
  const file = join(dir, path);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/** Subgraph name -> schema file (relative to the repository root) from supergraph.yaml's text. */
export function subgraphSchemaFiles(yamlText: string | null): Map<string, string> {
  const config = (yamlText ? parseYaml(yamlText) : null) as {
    subgraphs?: Record<string, { schema?: { file?: string } }>;
  } | null;
  const entries = Object.entries(config?.subgraphs ?? {}).flatMap(([name, entry]) =>
    entry.schema?.file ? [[name, posix.normalize(entry.schema.file)] as const] : [],
  );
  return new Map(entries);
}

function buildSchema(file: string, sdl: string, build: (sdl: string) => GraphQLSchema): GraphQLSchema {
  try {
    return build(sdl);
  } catch (error) {
    throw new SchemaCheckError('INVALID_SCHEMA', `${file}: ${(error as Error).message}`);
  }
}

async function breakingChangesIn(
  file: string,
  before: string | null,
  after: string | null,
  build: (sdl: string) => GraphQLSchema,
): Promise<BreakingChange[]> {
  if (before === null || after === null || before === after) return [];
  const changes = await breakingChanges(buildSchema(file, before, build), buildSchema(file, after, build));
  return changes.map((change) => ({ file, ...change }));
}

/** Every breaking change between the base and the working tree, subgraph by subgraph, then the supergraph. */
export async function compareWithBase(dir: string, base: string): Promise<BreakingChange[]> {
  const before = subgraphSchemaFiles(await fileAt(dir, base, SUPERGRAPH_CONFIG));
  const after = subgraphSchemaFiles(fileNow(dir, SUPERGRAPH_CONFIG));
  const found: BreakingChange[] = [];
  for (const [name, oldFile] of before) {
    const newFile = after.get(name);
    if (!newFile) {
      found.push({
        file: SUPERGRAPH_CONFIG,
        change: `Subgraph '${name}' was removed`,
        reason: 'the router and other subgraphs can no longer reach its fields',
      });
      continue;
    }
    const oldSdl = await fileAt(dir, base, oldFile);
    found.push(...(await breakingChangesIn(newFile, oldSdl, fileNow(dir, newFile), subgraphSchemaOf)));
  }
  const oldSupergraph = await fileAt(dir, base, SUPERGRAPH_SCHEMA);
  found.push(
    ...(await breakingChangesIn(
      SUPERGRAPH_SCHEMA,
      oldSupergraph,
      fileNow(dir, SUPERGRAPH_SCHEMA),
      apiSchemaOf,
    )),
  );
  return found;
}

/** The whole check for the checkout at `dir`: find the base, compare, look for the trailer. */
export async function checkSchemas(dir: string, options: { base?: string } = {}): Promise<SchemaCheckReport> {
  if (!existsSync(join(dir, '.git'))) {
    return { base: null, notice: 'not a git checkout, so no history', breaking: [], intendedBy: [] };
  }
  const found = await findBase(dir, options.base);
  if ('none' in found) return { base: null, notice: found.none, breaking: [], intendedBy: [] };
  const breaking = await compareWithBase(dir, found.commit);
  const intendedBy = breaking.length ? await intendedBreaks(dir, found.commit) : [];
  return { base: found, breaking, intendedBy };
}

export function passes(report: SchemaCheckReport): boolean {
  return report.breaking.length === 0 || report.intendedBy.length > 0;
}

/** The report as printed: one line per breaking change, and what to do about them. */
export function formatReport(report: SchemaCheckReport): string {
  if (!report.base) return `schema check: nothing to compare with (${report.notice}); skipped`;
  const against = `${report.base.commit.slice(0, 12)} (${report.base.how})`;
  if (report.breaking.length === 0) return `schema check: no breaking changes against ${against}`;
  const lines = report.breaking.map((b) => `  ${b.file}: ${b.change} - breaks clients: ${b.reason}`);
  const count = `${report.breaking.length} breaking change${report.breaking.length === 1 ? '' : 's'}`;
  if (report.intendedBy.length > 0) {
    const marks = report.intendedBy.join(', ');
    return [`schema check: ${count} against ${against}, marked intended by ${marks}:`, ...lines].join('\n');
  }
  return [
    `schema check: ${count} against ${against}:`,
    ...lines,
    `If the break is intended, add the trailer "${INTENT_TRAILER}: ${INTENT_VALUE}" to a commit message, e.g.`,
    `  git commit --amend --trailer "${INTENT_TRAILER}: ${INTENT_VALUE}"`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { base: { type: 'string' }, dir: { type: 'string' } } });
  const dir = values.dir ? resolve(values.dir) : fileURLToPath(new URL('../', import.meta.url));
  try {
    const report = await checkSchemas(dir, { base: values.base });
    const ok = passes(report);
    (ok ? process.stdout : process.stderr).write(`${formatReport(report)}\n`);
    if (!ok) process.exitCode = 1;
  } catch (error) {
    if (!(error instanceof SchemaCheckError)) throw error;
    process.stderr.write(`schema check failed (${error.code}): ${error.message}\n`);
    process.exitCode = 1;
  }
}

// Run as a script, not when a test imports the functions.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

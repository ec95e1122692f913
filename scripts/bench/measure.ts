// What the bench reads besides the load generator's own figures: a process tree's CPU time and memory
// from /proc (Linux), and how many GraphQL requests each subgraph served from its /metrics.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { SubgraphRequests } from './backend.ts';

function getconf(name: string, fallback: number): number {
  const value = Number(spawnSync('getconf', [name], { encoding: 'utf8' }).stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const CLOCK_TICKS = getconf('CLK_TCK', 100);
const PAGE_BYTES = getconf('PAGESIZE', 4096);

export interface ProcessSample {
  /** User plus system CPU time, in milliseconds, of the process and its descendants. */
  cpuMs: number;
  /** Resident memory in bytes, of the process and its descendants. */
  rssBytes: number;
}

/** Whether /proc can be read here; without it CPU and RSS are reported as unknown. */
export const canSampleProcesses = existsSync('/proc/self/stat');

function children(pid: number): number[] {
  const tasks = `/proc/${pid}/task`;
  if (!existsSync(tasks)) return [];
  return readdirSync(tasks).flatMap((task) => {
    try {
      return readFileSync(`${tasks}/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** utime, stime (ticks) and rss (pages) of one process: fields 14, 15 and 24 of /proc/<pid>/stat. */
export function parseStat(stat: string): { ticks: number; rssPages: number } {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
}

/** CPU time and memory of `pid` and everything it started (a gateway running a worker per core). */
export function sampleProcessTree(pid: number): ProcessSample {
  let ticks = 0;
  let rssPages = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop() as number;
    try {
      const stat = parseStat(readFileSync(`/proc/${current}/stat`, 'utf8'));
      ticks += stat.ticks;
      rssPages += stat.rssPages;
      pending.push(...children(current));
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return { cpuMs: (ticks * 1000) / CLOCK_TICKS, rssBytes: rssPages * PAGE_BYTES };
}

/**
 * Every process whose command name is one of `names`, by pid, with its CPU time so far (milliseconds):
 * a local server's processes (Postgres runs one per connection), whoever they serve.
 */
export function cpuByCommand(names: readonly string[]): Map<number, { command: string; cpuMs: number }> {
  const found = new Map<number, { command: string; cpuMs: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (names.includes(command)) {
        found.set(Number(entry), { command, cpuMs: (parseStat(stat).ticks * 1000) / CLOCK_TICKS });
      }
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return found;
}

/** The sum of the samples of one Prometheus series whose lines hold `labelFilter`, in a Prometheus text. */
function sumSamples(metrics: string, series: string, labelFilter = ''): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${series}{`) || !line.includes(labelFilter)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

/** HTTP requests to /graphql in a subgraph's /metrics: a batch of operations counts as one. */
export const graphqlRequestCount = (metrics: string): number =>
  sumSamples(metrics, 'http_request_duration_seconds_count', 'route="/graphql"');

/** GraphQL operations in a subgraph's /metrics (server-kit's metrics plugin): a batch counts its size. */
export const graphqlOperationCount = (metrics: string): number =>
  sumSamples(metrics, 'graphql_operation_duration_seconds_count');

/**
 * GraphQL requests and operations served so far by each subgraph, from its own /metrics (which the
 * bench never counts). Batches cannot be told apart there, only the operations they held.
 */
export async function subgraphRequestCounts(
  subgraphs: ReadonlyArray<{ name: string; origin: string }>,
): Promise<Record<string, SubgraphRequests>> {
  const entries = await Promise.all(
    subgraphs.map(async ({ name, origin }) => {
      const metrics = await (await fetch(`${origin}/metrics`)).text();
      return [
        name,
        { requests: graphqlRequestCount(metrics), operations: graphqlOperationCount(metrics) },
      ] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** `after - before` for each key of `after`. */
export function difference(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before[key] ?? 0)]));
}

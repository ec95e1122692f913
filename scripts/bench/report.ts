// The bench's output: one JSON line per result (scripts/bench/results/), a table on the terminal, and the
// same tables in docs/benchmarks.md between two markers, so the page's own text stays as written.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { ROOT } from '../supergraph-config.ts';
import type { RunInfo } from './run-info.ts';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';
import { SERVER_LABELS } from './process-cpu.ts';
import type { Aggregate, Cost, ScenarioResult, SqlScaleResult } from './stats.ts';
import { TARGET_TITLES, targetTitle, type TargetName } from './targets.ts';

export const RESULTS_DIR = new URL('scripts/bench/results/', ROOT);
export const DOCS_FILE = new URL('docs/benchmarks.md', ROOT);

/** Writes one JSON line per result to this run's file (`<run id>-<name>.jsonl`) and returns its path. */
export function writeJsonLines(info: RunInfo, name: string, lines: Array<Record<string, unknown>>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = fileURLToPath(
    new URL(`${info.id}-${name}${info.flags.quick ? '-quick' : ''}.jsonl`, RESULTS_DIR),
  );
  for (const line of lines) appendFileSync(file, `${JSON.stringify({ run: info, ...line })}\n`);
  return file;
}

const fixed = (value: number | null, digits: number) =>
  value === null || Number.isNaN(value) ? 'n/a' : value.toFixed(digits);

function errorsCell(aggregate: Aggregate): string {
  const total = aggregate.non2xx + aggregate.socketErrors + aggregate.graphqlErrors;
  return total === 0
    ? '0'
    : `${total} (non-2xx ${aggregate.non2xx}, socket ${aggregate.socketErrors}, GraphQL ${aggregate.graphqlErrors})`;
}

const HEADER = [
  'target',
  'req/s',
  'rounds min-max',
  'p50 ms',
  'p99 ms',
  'p99/p50',
  'CPU ms/req',
  'req/s per core',
  'RSS MB',
  'subgraph req/op',
  'SQL/op',
  'errors',
];

/**
 * Subgraph requests per operation, and when they differ, the operations they carried (a batch counts
 * its size) and the batches, where the subgraphs count them.
 */
export function subgraphRequestsCell(cost: Cost): string {
  const requests = fixed(cost.subgraphRequestsPerOperation, 2);
  if (cost.subgraphOperationsPerOperation === cost.subgraphRequestsPerOperation) return requests;
  const batches =
    cost.subgraphBatchesPerOperation && cost.subgraphOperationsPerBatch
      ? `; ${fixed(cost.subgraphBatchesPerOperation, 2)} batches of ${fixed(cost.subgraphOperationsPerBatch, 1)}`
      : '';
  return `${requests} (${fixed(cost.subgraphOperationsPerOperation, 2)} operations${batches})`;
}

function row(result: ScenarioResult): string[] {
  const a = result.aggregate;
  return [
    targetTitle({ name: result.target, variant: result.variant }),
    fixed(a.requestsPerSecond, 0),
    `${fixed(a.requestsPerSecondRange[0], 0)}-${fixed(a.requestsPerSecondRange[1], 0)}`,
    fixed(a.p50Ms, 1),
    fixed(a.p99Ms, 1),
    fixed(a.p99Ms / a.p50Ms, 1),
    fixed(a.cpuMsPerRequest, 2),
    fixed(a.requestsPerSecondPerCore, 0),
    fixed(a.rssMb, 0),
    subgraphRequestsCell(result.cost),
    fixed(result.cost.sqlStatementsPerOperation, 2),
    errorsCell(a),
  ];
}

/**
 * The columns of the CPU table, from the labels the results hold: the gateway first, the subgraphs in
 * the order they were sampled, then the shared servers, then the total.
 */
export function cpuColumns(byProcess: ReadonlyArray<Record<string, number> | null>): string[] {
  const labels = [...new Set(byProcess.flatMap((entry) => Object.keys(entry ?? {})))];
  const last = [...SERVER_LABELS, 'total'];
  return [
    ...labels.filter((label) => label === 'gateway'),
    ...labels.filter((label) => label !== 'gateway' && !last.includes(label)),
    ...last.filter((label) => labels.includes(label)),
  ];
}

/** Shared services are named so: their processes serve whatever else runs on the machine too. */
const cpuHeader = (label: string) => (SERVER_LABELS.includes(label) ? `${label} (shared)` : label);

/** One scenario's CPU ms per request by process, a row per target; a process a target lacks is `-`. */
function cpuRows(results: ScenarioResult[]): { header: string[]; rows: string[][] } {
  const columns = cpuColumns(results.map((result) => result.aggregate.cpuMsPerRequestByProcess));
  return {
    header: ['CPU ms/req', ...columns.map(cpuHeader)],
    rows: results.map((result) => {
      const byProcess = result.aggregate.cpuMsPerRequestByProcess;
      return [
        targetTitle({ name: result.target, variant: result.variant }),
        ...columns.map((label) => {
          if (!byProcess) return 'n/a';
          const value = byProcess[label];
          return value === undefined ? '-' : fixed(value, 2);
        }),
      ];
    }),
  };
}

/** A markdown table: a header row, its separator, then the rows (formatted later by prettier). */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function resultFor(results: ScenarioResult[], scenario: ScenarioName, target: TargetName) {
  return results.find((result) => result.scenario === scenario && result.target === target && !result.variant)
    ?.aggregate;
}

/** The goals as ratios from this run (issue 7, item 3), where the targets they need ran. */
function goals(results: ScenarioResult[]): string[][] {
  const rows: string[][] = [];
  const router = resultFor(results, 'nested-read', 'router');
  const rust = resultFor(results, 'nested-read', 'hive-gateway-rust');
  const apollo = resultFor(results, 'nested-read', 'apollo-gateway');
  const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
  for (const [peer, title, goal] of [
    [rust, 'Hive Gateway + Rust planner', '>= 1.0'],
    [apollo, 'default @apollo/gateway', '>= 2.5'],
  ] as const) {
    if (!router || !peer) continue;
    rows.push([
      `nested read: router req/s / ${title}, measured`,
      goal,
      fixed(ratio(router.requestsPerSecond, peer.requestsPerSecond), 2),
    ]);
    rows.push([
      `nested read: router req/s per core / ${title}, from CPU ms per request`,
      goal,
      fixed(ratio(router.requestsPerSecondPerCore, peer.requestsPerSecondPerCore), 2),
    ]);
  }
  const lookup = resultFor(results, 'product-lookup', 'router');
  if (lookup)
    rows.push(['router CPU per single-subgraph request (ms)', '<= 0.25', fixed(lookup.cpuMsPerRequest, 3)]);
  for (const scenario of SCENARIOS) {
    const result = resultFor(results, scenario.name, 'router');
    if (result)
      rows.push([`router p99/p50, ${scenario.name}`, '<= 3', fixed(result.p99Ms / result.p50Ms, 1)]);
  }
  const rss = results
    .filter((result) => result.target === 'router' && !result.variant)
    .map((result) => result.aggregate.rssMb ?? 0);
  if (rss.length > 0) rows.push(['router RSS, highest sample (MB)', '<= 350', fixed(Math.max(...rss), 0)]);
  return rows;
}

function sqlScaleTable(results: SqlScaleResult[]): string {
  const scales = [...new Set(results.map((result) => result.scale))].sort((a, b) => a - b);
  const keys = [...new Set(results.map((result) => `${result.scenario}|${result.target}`))];
  const rows = keys.map((key) => {
    const [scenario, target] = key.split('|') as [ScenarioName, TargetName];
    const at = (scale: number) =>
      results.find((r) => r.scenario === scenario && r.target === target && r.scale === scale);
    const largest = at(scales.at(-1) ?? 1);
    const bySubgraph = Object.entries(largest?.cost.sqlStatementsPerOperationBySubgraph ?? {})
      .map(([name, value]) => `${name} ${fixed(value, 2)}`)
      .join(', ');
    return [
      scenario,
      TARGET_TITLES[target],
      ...scales.map((scale) => fixed(at(scale)?.cost.sqlStatementsPerOperation ?? null, 2)),
      bySubgraph,
    ];
  });
  return markdownTable(
    [
      'scenario',
      'target',
      ...scales.map((scale) => `SQL/op at ${scale}x`),
      `by subgraph at ${scales.at(-1)}x`,
    ],
    rows,
  );
}

/** A list flag's entry: a scale or name as it is, a --router-variant as it was given. */
function flagValue(value: unknown): string {
  if (typeof value !== 'object' || value === null || !('name' in value) || !('env' in value))
    return String(value);
  const env = Object.entries(value.env as Record<string, string>).map(
    ([key, setting]) => `${key}=${setting}`,
  );
  return `${String(value.name)}:${env.join(';')}`;
}

/** The results as markdown: run details, one table per scenario, SQL by data scale, the goals. */
export function resultsMarkdown(
  info: RunInfo,
  results: ScenarioResult[],
  sqlScales: SqlScaleResult[],
): string {
  const flags = Object.entries(info.flags)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.map(flagValue).join(',') : String(value)}`)
    .join(' ');
  const parts = [
    `Run ${info.date} on commit \`${info.commit}\`, Node ${info.node}, ${info.machine.cpu} (${info.machine.cores} cores, ` +
      `${info.machine.memoryGb} GB), Linux ${info.machine.kernel}.`,
    '',
    `Load average (1, 5, 15 min) at start ${info.loadAtStart.join(', ')}, at end ${info.loadAtEnd?.join(', ') ?? 'n/a'}. ` +
      (info.pinned
        ? 'Gateway under test pinned to CPU 0 (`taskset -c 0`); subgraphs, SQL proxy and load generator on CPU 1; Postgres and Redis unpinned.'
        : 'Processes not pinned (no `taskset` here, or `--no-pin`).') +
      ' CPU ms/req by process: user + system time over the requests sent; Postgres and Redis are all their' +
      ' processes, shared with whatever else ran on the machine, so their figures are approximate.',
    '',
    `Flags: \`${flags}\`.`,
  ];
  for (const scenario of SCENARIOS) {
    const rows = results.filter((result) => result.scenario === scenario.name);
    if (rows.length === 0) continue;
    const cpu = cpuRows(rows);
    parts.push(
      '',
      `### ${scenario.title}`,
      '',
      markdownTable(HEADER, rows.map(row)),
      '',
      markdownTable(cpu.header, cpu.rows),
    );
  }
  if (sqlScales.length > 0) {
    parts.push('', '### SQL statements per operation by data scale', '', sqlScaleTable(sqlScales));
  }
  const goalRows = goals(results);
  if (goalRows.length > 0) {
    parts.push(
      '',
      '### Against the goals of issue 7',
      '',
      markdownTable(['goal', 'target', 'this run'], goalRows),
    );
  }
  return parts.join('\n');
}

/**
 * Replaces one block of results (`results` for the gateway bench, `events` for the saga bench) between
 * its markers in docs/benchmarks.md, or appends it. The page is formatted as `npm run lint` checks it.
 */
export async function writeDocs(
  markdown: string,
  name: 'results' | 'events' | 'soak' = 'results',
): Promise<void> {
  const startMarker = `<!-- bench:${name}:start -->`;
  const endMarker = `<!-- bench:${name}:end -->`;
  const block = `${startMarker}\n\n${markdown}\n\n${endMarker}`;
  const current = existsSync(DOCS_FILE) ? readFileSync(DOCS_FILE, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(startMarker);
  const end = current.indexOf(endMarker);
  const next =
    start !== -1 && end > start
      ? `${current.slice(0, start)}${block}${current.slice(end + endMarker.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  const filepath = fileURLToPath(DOCS_FILE);
  const options = await prettier.resolveConfig(filepath);
  writeFileSync(DOCS_FILE, await prettier.format(next, { ...options, filepath }));
}

function plainTable(header: string[], body: string[][]): string[] {
  const rows = [header, ...body];
  const widths = header.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  return rows.map((cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

/** The scenario's tables in plain text for the terminal. */
export function terminalTable(scenario: string, results: ScenarioResult[]): string {
  const cpu = cpuRows(results);
  return [
    `\n${scenario}`,
    ...plainTable(HEADER, results.map(row)),
    '',
    ...plainTable(cpu.header, cpu.rows),
  ].join('\n');
}

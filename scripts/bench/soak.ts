// Usage: npm run bench:soak [-- --minutes 10] [-- --scenario mixed] [-- --docs]
//
// The router under steady load for minutes on end, its memory sampled throughout (issue 7: RSS at most
// 350 MB per worker and flat over a 10-minute run). Load runs in back-to-back slices; after each the
// router's RSS (from /proc) and V8 heap (from its /metrics) are recorded. Memory that keeps climbing
// from the second half on is a leak; a step at the start is the heap sizing itself to the load.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareScenarioData } from './bench-data.ts';
import { runLoad } from './load.ts';
import { canSampleProcesses, sampleProcessTree } from './measure.ts';
import { canPin, pinSelf, ProcessGroup } from './processes.ts';
import { writeDocs, writeJsonLines } from './report.ts';
import { collectRunInfo, finishRunInfo } from './run-info.ts';
import { isShopScenario, SCENARIOS, type ScenarioName } from './scenarios.ts';
import { seedBenchData, seedPlan } from './seed.ts';
import { SQL_PROXY, startStack, SUPPORT_CPU, type Stack } from './stack.ts';
import { startTarget } from './targets.ts';

// The soak runs the shop's own supergraph; the gateways-bench scenario needs subgraphs it does not start.
const SOAK_SCENARIOS = SCENARIOS.filter(isShopScenario);

const REDIS_PREFIX = 'supergraph-bench-soak';
const SLICE_SECONDS = 30;
const MB = 1024 * 1024;

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Slice {
  minute: number;
  requestsPerSecond: number;
  p99Ms: number;
  errors: number;
  rssMb: number;
  heapUsedMb: number;
}

/** A gauge's value from a Prometheus text page (the first series of that name). */
function gauge(metrics: string, name: string): number {
  const line = metrics
    .split('\n')
    .find((entry) => entry.startsWith(`${name}{`) || entry.startsWith(`${name} `));
  return Number(line?.split(' ').at(-1) ?? Number.NaN);
}

const fixed = (value: number) => value.toFixed(0);

/** Mean of a stretch of slices' values. */
function mean(slices: Slice[], pick: (slice: Slice) => number): number {
  return slices.reduce((total, slice) => total + pick(slice), 0) / Math.max(1, slices.length);
}

function summary(slices: Slice[], minutes: number): string {
  const half = slices.slice(Math.floor(slices.length / 2));
  const firstOfHalf = half.slice(0, Math.max(1, Math.floor(half.length / 3)));
  const lastOfHalf = half.slice(-Math.max(1, Math.floor(half.length / 3)));
  const rows = slices.map(
    (slice) =>
      `| ${slice.minute.toFixed(1)} | ${fixed(slice.requestsPerSecond)} | ${fixed(slice.p99Ms)} | ${slice.errors} | ${fixed(slice.rssMb)} | ${fixed(slice.heapUsedMb)} |`,
  );
  const peak = Math.max(...slices.map((slice) => slice.rssMb));
  const growth = mean(lastOfHalf, (slice) => slice.rssMb) - mean(firstOfHalf, (slice) => slice.rssMb);
  const heapGrowth =
    mean(lastOfHalf, (slice) => slice.heapUsedMb) - mean(firstOfHalf, (slice) => slice.heapUsedMb);
  return [
    `Over ${minutes} minutes: highest RSS ${fixed(peak)} MB (goal: at most 350 MB per worker). Across the second half, ` +
      `RSS moved ${growth >= 0 ? '+' : ''}${fixed(growth)} MB and heap used ${heapGrowth >= 0 ? '+' : ''}${fixed(heapGrowth)} MB ` +
      `(mean of its last third against its first).`,
    '',
    '| minute | req/s | p99 ms | errors | RSS MB | heap used MB |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

async function main(options: { minutes: number; scenario: ScenarioName; docs: boolean; portBase: number }) {
  const scenario = SOAK_SCENARIOS.find((candidate) => candidate.name === options.scenario);
  if (!scenario) throw new Error(`unknown scenario ${options.scenario}`);
  const pinned = canPin() && pinSelf(SUPPORT_CPU);
  const info = collectRunInfo({ ...options }, pinned);
  const logDir = mkdtempSync(join(tmpdir(), 'supergraph-soak-'));
  const group = new ProcessGroup({ logDir, pin: pinned });
  const stopEverything = () =>
    group.stopAll([(managed) => managed.name === 'router', (managed) => managed.name !== SQL_PROXY]);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopEverything().then(() => process.exit(130)));
  }
  log(`bench: soak ${info.id}, logs in ${logDir}`);
  let stack: Stack | undefined;
  try {
    stack = await startStack({
      group,
      portBase: options.portBase,
      database: 'bench_soak',
      logDir,
      logLevel: 'warn',
      workers: false,
      redisUrl: 'redis://127.0.0.1:6379',
      redisPrefix: REDIS_PREFIX,
    });
    const plan = seedPlan(1);
    await seedBenchData(stack.adminUrl, stack.database, plan);
    const data = await prepareScenarioData(stack, plan);
    const router = await startTarget('router', stack, {
      group,
      portBase: options.portBase,
      redisPrefix: REDIS_PREFIX,
    });
    const operations = scenario.operations(data);
    const slices: Slice[] = [];
    const started = Date.now();
    while (Date.now() - started < options.minutes * 60_000) {
      const load = await runLoad({
        url: router.origin,
        operations,
        connections: 50,
        durationSeconds: SLICE_SECONDS,
      });
      const metrics = await (await fetch(`${router.origin}/metrics`)).text();
      const slice: Slice = {
        minute: (Date.now() - started) / 60_000,
        requestsPerSecond: load.requestsPerSecond,
        p99Ms: load.p99Ms,
        errors: load.non2xx + load.socketErrors + load.graphqlErrors,
        rssMb: canSampleProcesses ? sampleProcessTree(router.process.pid).rssBytes / MB : Number.NaN,
        heapUsedMb: gauge(metrics, 'nodejs_heap_size_used_bytes') / MB,
      };
      slices.push(slice);
      log(
        `  minute ${slice.minute.toFixed(1).padStart(5)}  ${fixed(slice.requestsPerSecond).padStart(5)} req/s  p99 ${fixed(slice.p99Ms)} ms` +
          `  RSS ${fixed(slice.rssMb)} MB  heap used ${fixed(slice.heapUsedMb)} MB  errors ${slice.errors}`,
      );
    }
    const finished = finishRunInfo(info);
    const file = writeJsonLines(
      finished,
      'soak',
      slices.map((slice) => ({ kind: 'slice', ...slice })),
    );
    const markdown = [
      `Run ${finished.date} on commit \`${finished.commit}\`, Node ${finished.node}; router pinned to CPU 0 under the ` +
        `${scenario.name} scenario at 50 connections, sampled every ${SLICE_SECONDS} s.`,
      '',
      summary(slices, options.minutes),
    ].join('\n');
    if (options.docs) await writeDocs(markdown, 'soak');
    log(`\n${markdown}\n\nbench: results in ${file}${options.docs ? ' and docs/benchmarks.md' : ''}`);
  } finally {
    await stopEverything();
    if (stack) {
      await stack.removeRedisKeys();
      await stack.dropDatabase();
    }
  }
}

const SOAK_USAGE = `Usage: npm run bench:soak -- [flags]

  --minutes N        how long the load lasts, in 30 s slices; default 10
  --scenario NAME    one of ${SOAK_SCENARIOS.map((scenario) => scenario.name).join(', ')}; default mixed
  --port-base N      router port; subgraphs +1..+6, SQL proxy +20; default 14800
  --docs             write the summary into docs/benchmarks.md
  --help             this text
`;

interface SoakFlags {
  minutes: number;
  scenario: ScenarioName;
  docs: boolean;
  portBase: number;
}

/** The flags, `help`, or every problem with them. */
function parseSoakFlags(args: string[]): SoakFlags | 'help' | { problems: string[] } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        minutes: { type: 'string', default: '10' },
        scenario: { type: 'string', default: 'mixed' },
        docs: { type: 'boolean', default: false },
        'port-base': { type: 'string', default: '14800' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    return { problems: [error instanceof Error ? error.message : String(error)] };
  }
  if (values.help) return 'help';
  const problems: string[] = [];
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) problems.push(`--minutes ${values.minutes}: must be a positive number`);
  const portBase = Number(values['port-base']);
  if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65_000)
    problems.push(`--port-base ${values['port-base']}: must be a whole number from 1024 to 65000`);
  const scenario = SOAK_SCENARIOS.find((candidate) => candidate.name === values.scenario)?.name;
  if (!scenario) problems.push(`--scenario ${values.scenario}: not one of the scenarios (--help lists them)`);
  return problems.length > 0 || !scenario ? { problems } : { minutes, scenario, docs: values.docs, portBase };
}

const parsed = parseSoakFlags(process.argv.slice(2));
if (parsed === 'help') {
  process.stdout.write(SOAK_USAGE);
} else if ('problems' in parsed) {
  for (const problem of parsed.problems) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write('bench: npm run bench:soak -- --help lists the flags\n');
  process.exitCode = 1;
} else {
  try {
    await main(parsed);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

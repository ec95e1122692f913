// Usage: npm run bench [-- --quick] [-- --help for every flag]
//
// Measures the supergraph as its users meet it, side by side with the gateways they would otherwise
// pick, on the same supergraph file and the same Postgres-backed subgraphs: our router, a default
// @apollo/gateway, Hive Gateway with and without its Rust query planner, and the subgraph itself where
// one subgraph answers alone (the ceiling). Then the same gateways on the public gateways benchmark's
// supergraph, its lean in-memory subgraphs started here (lean-stack.ts). Each scenario warms every
// target up, then runs rounds in which every target takes its turn (A B C A B C ...), so drift on a
// shared machine falls on all alike.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from './backend.ts';
import { prepareScenarioData } from './bench-data.ts';
import { BENCH_USAGE, parseBenchFlags, type BenchFlags } from './flags.ts';
import { startLeanStack } from './lean-stack.ts';
import { canPin, pinSelf, ProcessGroup } from './processes.ts';
import { probeCost, runScenario } from './rounds.ts';
import { resultsMarkdown, terminalTable, writeDocs, writeJsonLines } from './report.ts';
import { collectRunInfo, finishRunInfo } from './run-info.ts';
import {
  isShopScenario,
  SCENARIOS,
  type ScenarioData,
  type ScenarioName,
  type ShopScenario,
  type Workload,
} from './scenarios.ts';
import type { ScenarioResult, SqlScaleResult } from './stats.ts';
import { seedBenchData, seedPlan } from './seed.ts';
import { SQL_PROXY, startStack, SUPPORT_CPU, type Stack } from './stack.ts';
import { isTargetName, startTarget, type Target } from './targets.ts';
import { verifyTargets, type Verification } from './verify.ts';

const REDIS_PREFIX = 'supergraph-bench';
const REDIS_URL = 'redis://127.0.0.1:6379';
const SQL_SCALE_SCENARIOS: readonly ScenarioName[] = ['nested-read', 'catalog-page'];

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The gateways go first, so requests they are finishing can still reach the subgraphs; the SQL proxy last. */
const stopGroup = (group: ProcessGroup) =>
  group.stopAll([
    (managed) => isTargetName(managed.name) || managed.name.startsWith('router-'),
    (managed) => managed.name !== SQL_PROXY,
  ]);

/**
 * Statements per operation for the reads whose cost must not grow with the data (issue 7, item 4): at
 * the run's own scale from its results, then after growing the data to each larger scale.
 */
async function sqlAtScales(
  flags: BenchFlags,
  run: { targets: Target[]; data: ScenarioData; stack: Stack; results: ScenarioResult[] },
): Promise<SqlScaleResult[]> {
  const scenarios = SCENARIOS.filter(isShopScenario).filter(
    (scenario) => SQL_SCALE_SCENARIOS.includes(scenario.name) && flags.scenarios.includes(scenario.name),
  );
  if (scenarios.length === 0) return [];
  // Statement counts do not depend on router settings: the variants are left out.
  const gateways = run.targets.filter((target) => target.name !== 'direct' && !target.variant);
  const measured: SqlScaleResult[] = [];
  for (const scale of flags.sqlScales) {
    if (scale < flags.scale) {
      log(`bench: no SQL count at scale ${scale}: the data is already at scale ${flags.scale}`);
      continue;
    }
    if (scale > flags.scale) {
      log(`bench: growing the data to scale ${scale}`);
      await seedBenchData(run.stack.adminUrl, run.stack.database, seedPlan(scale));
    }
    for (const scenario of scenarios) {
      for (const target of gateways) {
        const earlier = run.results.find(
          (result) => result.scenario === scenario.name && result.target === target.name && !result.variant,
        );
        const cost =
          scale === flags.scale && earlier
            ? earlier.cost
            : await probeCost(target, scenario.operations(run.data), run.stack);
        measured.push({ scenario: scenario.name, target: target.name, scale, cost });
      }
    }
  }
  return measured;
}

interface Measured {
  targets: Target[];
  verifications: Verification[];
  results: ScenarioResult[];
}

/**
 * The targets started on one supergraph, their answers compared, then each scenario's rounds. The
 * subgraph itself is started as a target only where a scenario is answered by one subgraph alone.
 */
async function measureOn(
  backend: Backend,
  workloads: Workload[],
  group: ProcessGroup,
  flags: BenchFlags,
): Promise<Measured> {
  const needsDirect = workloads.some(({ scenario }) => scenario.singleSubgraph);
  const targets: Target[] = [];
  for (const name of flags.targets.filter((name) => name !== 'direct' || needsDirect)) {
    targets.push(
      await startTarget(name, backend, { group, portBase: flags.portBase, redisPrefix: REDIS_PREFIX }),
    );
    log(`bench: ${name} is up`);
  }
  for (const [index, variant] of flags.routerVariants.entries()) {
    targets.push(
      await startTarget('router', backend, {
        group,
        portBase: flags.portBase,
        redisPrefix: REDIS_PREFIX,
        variant: { index, ...variant },
      }),
    );
    log(`bench: router [${variant.name}] is up`);
  }
  const verifications = await verifyTargets(targets, workloads);
  for (const failed of verifications.filter((entry) => !entry.ok)) {
    log(`bench: WARNING ${failed.target} on ${failed.scenario}: ${failed.problem}`);
  }
  const results: ScenarioResult[] = [];
  for (const workload of workloads) {
    const scenarioResults = await runScenario(workload, targets, backend, flags);
    log(terminalTable(workload.scenario.title, scenarioResults));
    results.push(...scenarioResults);
  }
  return { targets, verifications, results };
}

/** The shop's scenarios on its Postgres-backed subgraphs, seeded, then statements by data scale. */
async function measureShop(
  flags: BenchFlags,
  scenarios: ShopScenario[],
  stack: Stack,
  group: ProcessGroup,
): Promise<Measured & { sqlScales: SqlScaleResult[] }> {
  const plan = seedPlan(flags.scale);
  log(
    `bench: seeding scale ${flags.scale} (${plan.products} products, ${plan.customers} customers x ${plan.ordersPerCustomer} orders)`,
  );
  await seedBenchData(stack.adminUrl, stack.database, plan);
  const data = await prepareScenarioData(stack, plan);
  const workloads = scenarios.map((scenario) => ({ scenario, operations: scenario.operations(data) }));
  const measured = await measureOn(stack, workloads, group, flags);
  const sqlScales = await sqlAtScales(flags, { ...measured, data, stack });
  return { ...measured, sqlScales };
}

async function main(flags: BenchFlags): Promise<void> {
  const pinned = flags.pin && canPin() && pinSelf(SUPPORT_CPU);
  if (flags.pin && !pinned) log('bench: taskset is not available here; processes run unpinned');
  const info = collectRunInfo({ ...flags }, pinned);
  const logDir = mkdtempSync(join(tmpdir(), 'supergraph-bench-'));
  // The lean subgraphs' processes and the targets in front of them, with logs and supergraph of their own.
  const leanLogDir = join(logDir, 'gateways-bench');
  const group = new ProcessGroup({ logDir, pin: pinned });
  const leanGroup = new ProcessGroup({ logDir: leanLogDir, pin: pinned });
  const stopEverything = () => Promise.all([stopGroup(group), stopGroup(leanGroup)]);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopEverything().then(() => process.exit(130)));
  }
  log(`bench: run ${info.id}, logs in ${logDir}; load average ${info.loadAtStart.join(', ')}`);

  const selected = SCENARIOS.filter((scenario) => flags.scenarios.includes(scenario.name));
  const shopScenarios = selected.filter(isShopScenario);
  const leanScenarios = selected.filter((scenario) => !isShopScenario(scenario));
  let stack: Stack | undefined;
  let lean: Backend | undefined;
  try {
    const measured: Measured[] = [];
    let sqlScales: SqlScaleResult[] = [];
    if (shopScenarios.length > 0) {
      stack = await startStack({
        group,
        portBase: flags.portBase,
        database: flags.database,
        logDir,
        logLevel: 'warn',
        workers: false,
        redisUrl: REDIS_URL,
        redisPrefix: REDIS_PREFIX,
      });
      const shop = await measureShop(flags, shopScenarios, stack, group);
      measured.push(shop);
      sqlScales = shop.sqlScales;
      // The shop's subgraphs keep polling Postgres and Redis on timers (their outbox relays): stopped
      // before the lean scenario, so its Postgres and Redis figures hold none of their work.
      await stopGroup(group);
    }
    if (leanScenarios.length > 0) {
      log('bench: starting the lean subgraphs of the public gateways benchmark');
      mkdirSync(leanLogDir);
      lean = await startLeanStack({
        group: leanGroup,
        portBase: flags.portBase,
        logDir: leanLogDir,
        logLevel: 'warn',
        redisUrl: REDIS_URL,
        redisPrefix: REDIS_PREFIX,
      });
      const workloads = leanScenarios.map((scenario) => ({ scenario, operations: scenario.operations() }));
      measured.push(await measureOn(lean, workloads, leanGroup, flags));
    }
    const results = measured.flatMap((entry) => entry.results);
    const verifications = measured.flatMap((entry) => entry.verifications);

    const finished = finishRunInfo(info);
    const file = writeJsonLines(finished, 'bench', [
      ...verifications.map((verification) => ({ kind: 'verification', ...verification })),
      ...results.map((result) => ({ kind: 'result', ...result })),
      ...sqlScales.map((result) => ({ kind: 'sql-scale', ...result })),
    ]);
    const markdown = resultsMarkdown(finished, results, sqlScales);
    if (flags.docs) await writeDocs(markdown);
    log(`\n${markdown}\n\nbench: results in ${file}${flags.docs ? ' and docs/benchmarks.md' : ''}`);
  } finally {
    await stopEverything();
    // Both supergraphs' processes share the bench's Redis prefix.
    await (stack ?? lean)?.removeRedisKeys();
    await stack?.dropDatabase();
  }
}

const parsed = parseBenchFlags(process.argv.slice(2));
if ('help' in parsed) {
  process.stdout.write(BENCH_USAGE);
} else if ('problems' in parsed) {
  for (const problem of parsed.problems) process.stderr.write(`bench: ${problem}\n`);
  process.stderr.write('bench: npm run bench -- --help lists the flags\n');
  process.exitCode = 1;
} else {
  try {
    await main(parsed.flags);
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

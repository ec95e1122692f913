// The measuring itself: a round of one target under one scenario's load with the process figures around
// it, a scenario's warm-up and alternating rounds, and the cost probe, which counts the subgraph
// requests and SQL statements one operation takes by sending operations one at a time. Counting under
// load would blur: at the end of a round requests are cut off half done, some gateways abandon their
// subgraph calls then and some do not, and a saturated subgraph is still finishing the last target's.
import type { BenchFlags } from './flags.ts';
import { runLoad } from './load.ts';
import { canSampleProcesses, difference, sampleProcessTree, subgraphRequestCounts } from './measure.ts';
import type { Operation, Scenario, ScenarioData } from './scenarios.ts';
import type { Stack } from './stack.ts';
import { aggregate, type Cost, type RoundResult, type ScenarioResult } from './stats.ts';
import { targetLabel, type Target } from './targets.ts';
import { postOperation } from './verify.ts';

const PROBE_REQUESTS = 30;
const QUIET_POLL_MS = 250;
const QUIET_TIMEOUT_MS = 20_000;

const log = (line: string) => process.stdout.write(`${line}\n`);

function statementsByRole(counts: Record<string, { statements: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([role, count]) => [role, count.statements]));
}

async function activity(stack: Stack): Promise<string> {
  // The relay's polling runs on a timer whatever the load; only request work counts as activity.
  return JSON.stringify([
    await subgraphRequestCounts(stack.subgraphs),
    statementsByRole(await stack.sqlCounts()),
  ]);
}

/**
 * Waits until the subgraphs have finished what the last round left them: no request answered and no
 * statement sent for one poll interval.
 */
export async function waitForQuiet(stack: Stack): Promise<void> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  let last = await activity(stack);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS));
    const current = await activity(stack);
    if (current === last) return;
    last = current;
  }
}

function cpuOf(pids: number[]): number | null {
  if (!canSampleProcesses) return null;
  return pids.reduce((total, pid) => total + sampleProcessTree(pid).cpuMs, 0);
}

/** One target under one scenario's load for one round, with CPU and memory sampled around it. */
async function measureRound(
  target: Target,
  operations: Operation[],
  stack: Stack,
  flags: BenchFlags,
  durationSeconds: number,
): Promise<RoundResult> {
  const subgraphPids = stack.subgraphs.map((subgraph) => subgraph.process.pid);
  const snapshot = () => ({
    cpuMs: cpuOf([target.process.pid]),
    subgraphCpuMs: cpuOf(subgraphPids),
    sqlProxyCpuMs: cpuOf(stack.sqlProxy ? [stack.sqlProxy.pid] : []),
  });
  const rss = () => (canSampleProcesses ? sampleProcessTree(target.process.pid).rssBytes : null);
  const before = snapshot();
  let rssBytes = rss();
  const sampler = setInterval(() => {
    const current = rss();
    if (current !== null && rssBytes !== null) rssBytes = Math.max(rssBytes, current);
  }, 1_000);
  const load = await runLoad({
    url: target.origin,
    operations,
    connections: flags.connections,
    durationSeconds,
    ...(target.internalSecret ? { internalSecret: target.internalSecret } : {}),
  });
  clearInterval(sampler);
  // Requests cut off at the end of the round may still be under way at the gateway and the subgraphs;
  // their CPU belongs to this round, and the next round must start on idle subgraphs.
  await waitForQuiet(stack);
  const after = snapshot();
  const delta = (end: number | null, start: number | null) =>
    end === null || start === null ? null : end - start;
  return {
    ...load,
    cpuMs: delta(after.cpuMs, before.cpuMs),
    subgraphCpuMs: delta(after.subgraphCpuMs, before.subgraphCpuMs),
    sqlProxyCpuMs: delta(after.sqlProxyCpuMs, before.sqlProxyCpuMs),
    rssBytes,
  };
}

/** Subgraph requests and SQL statements per operation, from operations sent one at a time. */
export async function probeCost(target: Target, operations: Operation[], stack: Stack): Promise<Cost> {
  await waitForQuiet(stack);
  const before = {
    sql: statementsByRole(await stack.sqlCounts()),
    subgraphs: await subgraphRequestCounts(stack.subgraphs),
  };
  for (let index = 0; index < PROBE_REQUESTS; index += 1) {
    await postOperation(target, operations[index % operations.length] as Operation);
  }
  // The direct target's own requests are the subgraph requests; a gateway's answer comes after its last.
  const sql = difference(statementsByRole(await stack.sqlCounts()), before.sql);
  const subgraphs = difference(await subgraphRequestCounts(stack.subgraphs), before.subgraphs);
  const perOperation = (counts: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(counts)
        .filter(([, value]) => value > 0)
        .map(([name, value]) => [name, value / PROBE_REQUESTS]),
    );
  const total = (counts: Record<string, number>) =>
    Object.values(counts).reduce((a, b) => a + b, 0) / PROBE_REQUESTS;
  return {
    requests: PROBE_REQUESTS,
    subgraphRequestsPerOperation: total(subgraphs),
    subgraphRequestsPerOperationBySubgraph: perOperation(subgraphs),
    sqlStatementsPerOperation: total(sql),
    sqlStatementsPerOperationBySubgraph: perOperation(sql),
  };
}

/** Warm-up, then rounds in which every target takes its turn, then each target's cost probe. */
export async function runScenario(
  scenario: Scenario,
  targets: Target[],
  data: ScenarioData,
  stack: Stack,
  flags: BenchFlags,
): Promise<ScenarioResult[]> {
  const eligible = targets.filter((target) => scenario.singleSubgraph || target.name !== 'direct');
  const operations = scenario.operations(data);
  log(`\n${scenario.title}: warm-up ${flags.warmupSeconds} s per target`);
  for (const target of eligible) await measureRound(target, operations, stack, flags, flags.warmupSeconds);
  const rounds = new Map<Target, RoundResult[]>(eligible.map((target) => [target, []]));
  for (let round = 1; round <= flags.rounds; round += 1) {
    for (const target of eligible) {
      const result = await measureRound(target, operations, stack, flags, flags.durationSeconds);
      rounds.get(target)?.push(result);
      log(
        `  round ${round}/${flags.rounds} ${targetLabel(target).padEnd(18)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s` +
          `  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms`,
      );
    }
  }
  const results: ScenarioResult[] = [];
  for (const target of eligible) {
    const targetRounds = rounds.get(target) ?? [];
    results.push({
      scenario: scenario.name,
      target: target.name,
      ...(target.variant ? { variant: target.variant } : {}),
      aggregate: aggregate(targetRounds),
      cost: await probeCost(target, operations, stack),
      rounds: targetRounds,
    });
  }
  return results;
}

// The measuring itself: a round of one target under one scenario's load with the process figures around
// it, a scenario's warm-up and alternating rounds, and the cost probe, which counts the subgraph
// requests and SQL statements one operation takes by sending operations one at a time. Counting under
// load would blur: at the end of a round requests are cut off half done, some gateways abandon their
// subgraph calls then and some do not, and a saturated subgraph is still finishing the last target's.
import type { Backend } from './backend.ts';
import { subgraphCost } from './costs.ts';
import type { BenchFlags } from './flags.ts';
import { runLoad } from './load.ts';
import { canSampleProcesses, difference, sampleProcessTree } from './measure.ts';
import { cpuUsed, sampleCpu } from './process-cpu.ts';
import type { Operation, Workload } from './scenarios.ts';
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

const statements = async (backend: Backend) =>
  backend.sqlCounts ? statementsByRole(await backend.sqlCounts()) : {};

async function activity(backend: Backend): Promise<string> {
  // The relay's polling runs on a timer whatever the load; only request work counts as activity.
  return JSON.stringify([await backend.requestCounts(), await statements(backend)]);
}

/**
 * Waits until the subgraphs have finished what the last round left them: no request answered and no
 * statement sent for one poll interval.
 */
export async function waitForQuiet(backend: Backend): Promise<void> {
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  let last = await activity(backend);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_POLL_MS));
    const current = await activity(backend);
    if (current === last) return;
    last = current;
  }
}

const GATEWAY = 'gateway';
const SQL_PROXY_LABEL = 'sql-proxy';

/**
 * The processes whose CPU a round samples: the gateway (none when the target is a subgraph itself), each
 * subgraph by name, and the SQL proxy, which is the bench's and is kept out of the sum.
 */
function sampled(target: Target, backend: Backend): Array<{ name: string; pid: number }> {
  const isSubgraph = backend.subgraphs.some((subgraph) => subgraph.process.pid === target.process.pid);
  return [
    ...(isSubgraph ? [] : [{ name: GATEWAY, pid: target.process.pid }]),
    ...backend.subgraphs.map((subgraph) => ({ name: subgraph.name, pid: subgraph.process.pid })),
    ...(backend.sqlProxy ? [{ name: SQL_PROXY_LABEL, pid: backend.sqlProxy.pid }] : []),
  ];
}

/** The round's CPU figures from the processes' CPU used during it. */
function roundCpu(
  target: Target,
  backend: Backend,
  used: Record<string, number> | null,
): Pick<RoundResult, 'cpuMs' | 'subgraphCpuMs' | 'sqlProxyCpuMs' | 'cpuMsByProcess'> {
  if (!used) return { cpuMs: null, subgraphCpuMs: null, sqlProxyCpuMs: null, cpuMsByProcess: null };
  const { [SQL_PROXY_LABEL]: sqlProxyCpuMs = null, ...byProcess } = used;
  const direct = backend.subgraphs.find((subgraph) => subgraph.process.pid === target.process.pid);
  return {
    cpuMs: byProcess[direct ? direct.name : GATEWAY] ?? 0,
    subgraphCpuMs: backend.subgraphs.reduce((total, subgraph) => total + (byProcess[subgraph.name] ?? 0), 0),
    sqlProxyCpuMs,
    cpuMsByProcess: byProcess,
  };
}

/** One target under one scenario's load for one round, with CPU and memory sampled around it. */
async function measureRound(
  target: Target,
  operations: Operation[],
  backend: Backend,
  flags: BenchFlags,
  durationSeconds: number,
): Promise<RoundResult> {
  const processes = sampled(target, backend);
  const snapshot = () => (canSampleProcesses ? sampleCpu(processes) : null);
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
  await waitForQuiet(backend);
  const after = snapshot();
  return {
    ...load,
    ...roundCpu(target, backend, before && after ? cpuUsed(before, after) : null),
    rssBytes,
  };
}

/** Subgraph requests and SQL statements per operation, from operations sent one at a time. */
export async function probeCost(target: Target, operations: Operation[], backend: Backend): Promise<Cost> {
  await waitForQuiet(backend);
  const before = { sql: await statements(backend), subgraphs: await backend.requestCounts() };
  for (let index = 0; index < PROBE_REQUESTS; index += 1) {
    await postOperation(target, operations[index % operations.length] as Operation);
  }
  // The direct target's own requests are the subgraph requests; a gateway's answer comes after its last.
  const sql = difference(await statements(backend), before.sql);
  const subgraphs = await backend.requestCounts();
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
    ...subgraphCost(before.subgraphs, subgraphs, PROBE_REQUESTS),
    sqlStatementsPerOperation: total(sql),
    sqlStatementsPerOperationBySubgraph: perOperation(sql),
  };
}

/** Warm-up, then rounds in which every target takes its turn, then each target's cost probe. */
export async function runScenario(
  { scenario, operations }: Workload,
  targets: Target[],
  backend: Backend,
  flags: BenchFlags,
): Promise<ScenarioResult[]> {
  const eligible = targets.filter((target) => scenario.singleSubgraph || target.name !== 'direct');
  log(`\n${scenario.title}: warm-up ${flags.warmupSeconds} s per target`);
  for (const target of eligible) await measureRound(target, operations, backend, flags, flags.warmupSeconds);
  const rounds = new Map<Target, RoundResult[]>(eligible.map((target) => [target, []]));
  for (let round = 1; round <= flags.rounds; round += 1) {
    for (const target of eligible) {
      const result = await measureRound(target, operations, backend, flags, flags.durationSeconds);
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
      cost: await probeCost(target, operations, backend),
      rounds: targetRounds,
    });
  }
  return results;
}

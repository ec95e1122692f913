// Usage: npm run bench:events [-- --rate 125,250] [-- --help for every flag]
//
// The checkout saga under a steady stream of orders: every subgraph and every domain's event worker as
// its own process (as `npm start` runs them), the router in front pinned to its own core, and orders
// placed through it at a fixed rate. Unlike the gateway bench, the subgraphs and workers are not held to
// the other core: the saga is their work, so they get the whole machine, shared with the router as a
// deployment on two cores would share it. Each rate is one phase: place orders for the duration, wait for
// the saga to finish what they started, then read back from the database how fast events were handled
// and how long orders took from placeOrder to CONFIRMED. It measures; it tunes nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareScenarioData } from './bench-data.ts';
import { runLoad, type LoadResult } from './load.ts';
import { canPin, ProcessGroup } from './processes.ts';
import { sampleCpu } from './process-cpu.ts';
import { cpuPerOrder, cpuTable } from './saga-cpu.ts';
import { markdownTable, writeDocs, writeJsonLines } from './report.ts';
import { collectRunInfo, finishRunInfo, type RunInfo } from './run-info.ts';
import {
  databaseNow,
  handledEvents,
  openAdmin,
  pendingOrders,
  sagaFigures,
  type SagaFigures,
  type SagaWindow,
} from './saga-figures.ts';
import { placeOrders } from './scenarios.ts';
import { seedBenchData, seedPlan } from './seed.ts';
import { startStack } from './stack.ts';
import { startTarget } from './targets.ts';

const REDIS_PREFIX = 'supergraph-bench-events';
const DRAIN_POLL_MS = 500;
/** The goal of issue 7, item 5. */
const GOAL_EVENTS_PER_SECOND = 1000;
const GOAL_P99_MS = 250;
/** OrderPlaced, InventoryReserved, PaymentAuthorized and OrderConfirmed, each handled once. */
const EVENTS_PER_ORDER = 4;

const USAGE = `Usage: npm run bench:events -- [flags]

  --rate LIST        orders per second placed through the router, one phase per rate; default 125,250
                     (each order makes 4 handled events when it is confirmed, so 250/s is 1000 events/s)
  --duration S       seconds of placing orders per phase; default 60
  --drain S          the longest wait for the saga to settle after a phase; default 120
  --connections N    concurrent connections placing orders; default 50
  --concurrency N    EVENT_CONCURRENCY of every worker; default: the workers' own default
  --quick            one phase of 25 orders/s for 15 s
  --port-base N      router port; subgraphs +1..+6, workers +101..+106; default 14500
  --database NAME    the bench database, dropped and recreated; default bench_events
  --no-pin           do not pin processes to CPUs
  --docs / --no-docs write the table into docs/benchmarks.md (default: on unless --quick)
`;

interface EventFlags {
  rates: number[];
  durationSeconds: number;
  drainSeconds: number;
  connections: number;
  concurrency?: number;
  quick: boolean;
  portBase: number;
  database: string;
  pin: boolean;
  docs: boolean;
}

interface Phase {
  rate: number;
  load: LoadResult;
  window: SagaWindow;
  drainedSeconds: number;
  figures: SagaFigures;
  /** Each process's CPU from the first order until the saga settled, per order placed. */
  cpuMsPerOrder: Record<string, number>;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function parseFlags(args: string[]): EventFlags | { problems: string[] } | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      help: { type: 'boolean' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      drain: { type: 'string' },
      connections: { type: 'string' },
      concurrency: { type: 'string' },
      quick: { type: 'boolean' },
      'port-base': { type: 'string' },
      database: { type: 'string' },
      'no-pin': { type: 'boolean' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const problems: string[] = [];
  const whole = (name: string, value: string | undefined, fallback: number) => {
    const parsed = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      problems.push(`--${name} must be a whole number of at least 1`);
    return parsed;
  };
  const quick = values.quick ?? false;
  const rates = (values.rate ?? (quick ? '25' : '125,250')).split(',').map(Number);
  if (rates.some((rate) => !Number.isInteger(rate) || rate < 1))
    problems.push('--rate must be whole numbers, comma-separated');
  const database = values.database ?? 'bench_events';
  if (!/^[a-z_][a-z0-9_]*$/.test(database))
    problems.push('--database must be a lower-case Postgres identifier');
  const flags: EventFlags = {
    rates,
    durationSeconds: whole('duration', values.duration, quick ? 15 : 60),
    drainSeconds: whole('drain', values.drain, 120),
    connections: whole('connections', values.connections, 50),
    ...(values.concurrency ? { concurrency: whole('concurrency', values.concurrency, 4) } : {}),
    quick,
    portBase: whole('port-base', values['port-base'], 14_500),
    database,
    pin: !values['no-pin'],
    docs: values['no-docs'] ? false : (values.docs ?? !quick),
  };
  return problems.length > 0 ? { problems } : flags;
}

/**
 * Puts the bench's customers in notifications' recipient directory, as their UserRegistered would
 * have: the bench seed writes them straight into users' table, so no such event ever ran, and every
 * OrderConfirmed for them would fail (unknown recipient) and be retried until it became a dead letter.
 */
async function registerRecipients(client: Awaited<ReturnType<typeof openAdmin>>): Promise<void> {
  await client.query(
    `insert into notifications.recipient (user_id, email, name, updated_at)
     select id, email, name, created_at from users.user_account
     on conflict (user_id) do nothing`,
  );
}

/** Waits until no order of the window is PENDING and no event was handled for a second, or the limit. */
async function drain(
  client: Awaited<ReturnType<typeof openAdmin>>,
  window: SagaWindow,
  limitSeconds: number,
): Promise<number> {
  const started = Date.now();
  let last = -1;
  while (Date.now() - started < limitSeconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    const pending = await pendingOrders(client, window);
    const progress = await handledEvents(client);
    if (pending === 0 && progress === last) break;
    last = progress;
  }
  return (Date.now() - started) / 1000;
}

const ms = (value: number | null) => (value === null ? 'n/a' : value.toFixed(0));

function phaseRow(phase: Phase): string[] {
  const { figures, load } = phase;
  return [
    String(phase.rate),
    load.requestsPerSecond.toFixed(0),
    `${load.p50Ms} / ${load.p99Ms}`,
    `${figures.ordersPlaced} / ${figures.ordersConfirmed} / ${figures.ordersCancelled} / ${figures.ordersPending}`,
    figures.ordersConfirmedPerSecond.toFixed(0),
    figures.eventsHandledPerSecond.toFixed(0),
    `${ms(figures.placedToConfirmedMs.p50)} / ${ms(figures.placedToConfirmedMs.p99)}`,
    `${ms(figures.commitToHandledMs.p50)} / ${ms(figures.commitToHandledMs.p99)}`,
    String(figures.outboxBacklogAtEnd),
    String(load.non2xx + load.socketErrors + load.graphqlErrors),
  ];
}

function markdown(info: RunInfo, phases: Phase[]): string {
  const header = [
    'orders/s offered',
    'placeOrder req/s',
    'placeOrder p50 / p99 ms',
    'placed / confirmed / cancelled / pending',
    'orders/s confirmed',
    'events/s handled',
    'placeOrder to CONFIRMED p50 / p99 ms',
    'commit to handled p50 / p99 ms',
    'outbox backlog at end',
    'errors',
  ];
  const best = Math.max(...phases.map((phase) => phase.figures.eventsHandledPerSecond));
  const goalOrdersPerSecond = GOAL_EVENTS_PER_SECOND / EVENTS_PER_ORDER;
  const halfRate = goalOrdersPerSecond / 2;
  const half = phases.find((phase) => phase.rate === halfRate);
  return [
    `Run ${info.date} on commit \`${info.commit}\`, Node ${info.node}, ${info.machine.cpu} (${info.machine.cores} cores). ` +
      `Load average at start ${info.loadAtStart.join(', ')}, at end ${info.loadAtEnd?.join(', ') ?? 'n/a'}. ` +
      (info.pinned
        ? 'Router pinned to CPU 0; subgraphs, workers and load generator on either CPU; no SQL proxy.'
        : 'Processes not pinned.'),
    '',
    `Flags: \`${JSON.stringify(info.flags)}\`.`,
    '',
    markdownTable(header, phases.map(phaseRow)),
    '',
    `Goal (issue 7, item 5): at least ${GOAL_EVENTS_PER_SECOND} events/s sustained: best this run ${best.toFixed(0)}; ` +
      `p99 commit to handled under ${GOAL_P99_MS} ms at half that rate: ` +
      (half
        ? `${ms(half.figures.commitToHandledMs.p99)} ms at ${half.rate} orders/s.`
        : 'no phase at that rate in this run.'),
    '',
    'CPU per order placed, by process, from the first order of a phase until the saga settled (user + system ' +
      'time from `/proc`; Postgres and Redis summed over all their processes; the load generator left out). ' +
      `${GOAL_EVENTS_PER_SECOND} events/s is ${goalOrdersPerSecond} orders/s, at most ` +
      `${((info.machine.cores * 1000) / goalOrdersPerSecond).toFixed(0)} ms of CPU per order on ${info.machine.cores} cores.`,
    '',
    cpuTable(phases, info.machine.cores),
  ].join('\n');
}

async function main(flags: EventFlags): Promise<void> {
  const pinned = flags.pin && canPin();
  const info = collectRunInfo({ ...flags }, pinned);
  const logDir = mkdtempSync(join(tmpdir(), 'supergraph-bench-events-'));
  // Two groups: the router's, pinned to the gateway CPU; the saga's processes', left to the scheduler.
  const routerGroup = new ProcessGroup({ logDir, pin: pinned });
  const group = new ProcessGroup({ logDir, pin: false });
  const stopEverything = async () => {
    await routerGroup.stopAll();
    await group.stopAll();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopEverything().then(() => process.exit(130)));
  }
  log(`bench:events: run ${info.id}, logs in ${logDir}; load average ${info.loadAtStart.join(', ')}`);
  const stack = await startStack({
    group,
    portBase: flags.portBase,
    database: flags.database,
    logDir,
    logLevel: 'warn',
    workers: true,
    redisUrl: 'redis://127.0.0.1:6379',
    redisPrefix: REDIS_PREFIX,
    // The figures come from the tables; the proxy would only take CPU from the saga.
    countStatements: false,
    ...(flags.concurrency ? { extraEnv: { EVENT_CONCURRENCY: String(flags.concurrency) } } : {}),
  });
  const client = await openAdmin(stack.adminUrl, stack.database);
  try {
    const plan = seedPlan(1);
    await seedBenchData(stack.adminUrl, stack.database, plan);
    await registerRecipients(client);
    const data = await prepareScenarioData(stack, plan);
    const router = await startTarget('router', stack, {
      group: routerGroup,
      portBase: flags.portBase,
      redisPrefix: REDIS_PREFIX,
    });
    const processes = () => [...routerGroup.running, ...group.running];
    const phases: Phase[] = [];
    for (const rate of flags.rates) {
      log(`\nplacing ${rate} orders/s for ${flags.durationSeconds} s`);
      const start = await databaseNow(client);
      const cpuBefore = sampleCpu(processes());
      const load = await runLoad({
        url: router.origin,
        operations: placeOrders(data),
        connections: flags.connections,
        durationSeconds: flags.durationSeconds,
        overallRate: rate,
      });
      const window = { start, end: await databaseNow(client) };
      const drainedSeconds = await drain(client, window, flags.drainSeconds);
      const cpuAfter = sampleCpu(processes());
      const figures = await sagaFigures(client, window);
      const cpuMsPerOrder = cpuPerOrder(cpuBefore, cpuAfter, figures.ordersPlaced);
      phases.push({ rate, load, window, drainedSeconds, figures, cpuMsPerOrder });
      log(
        `  ${figures.eventsHandledPerSecond.toFixed(0)} events/s handled, ${figures.ordersConfirmedPerSecond.toFixed(0)} orders/s confirmed, ` +
          `placeOrder to CONFIRMED p50 ${ms(figures.placedToConfirmedMs.p50)} ms p99 ${ms(figures.placedToConfirmedMs.p99)} ms, ` +
          `commit to handled p99 ${ms(figures.commitToHandledMs.p99)} ms; settled ${drainedSeconds.toFixed(0)} s after the phase`,
      );
      if (cpuMsPerOrder.total !== undefined) {
        log(`  ${cpuMsPerOrder.total.toFixed(1)} ms of CPU per order over every process of the saga`);
      }
      if (load.firstError) log(`  first error: ${load.firstError}`);
    }
    const finished = finishRunInfo(info);
    const file = writeJsonLines(
      finished,
      'events',
      phases.map((phase) => ({ kind: 'saga', ...phase })),
    );
    const table = markdown(finished, phases);
    if (flags.docs) await writeDocs(table, 'events');
    log(`\n${table}\n\nbench:events: results in ${file}${flags.docs ? ' and docs/benchmarks.md' : ''}`);
  } finally {
    await client.end();
    await stopEverything();
    await stack.removeRedisKeys();
    await stack.dropDatabase();
  }
}

const parsed = (() => {
  try {
    return parseFlags(process.argv.slice(2));
  } catch (error) {
    return { problems: [error instanceof Error ? error.message : String(error)] };
  }
})();
if (parsed === 'help') {
  process.stdout.write(USAGE);
} else if ('problems' in parsed) {
  for (const problem of parsed.problems) process.stderr.write(`bench:events: ${problem}\n`);
  process.exitCode = 1;
} else {
  try {
    await main(parsed);
  } catch (error) {
    process.stderr.write(`bench:events: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

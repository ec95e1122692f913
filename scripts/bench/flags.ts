// Command-line flags of `npm run bench`, checked all at once: a bad flag stops the bench before it
// starts anything, with one line per problem.
import { parseArgs } from 'node:util';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';
import { TARGET_NAMES, type RouterVariant, type TargetName } from './targets.ts';

export interface BenchFlags {
  quick: boolean;
  scale: number;
  /** Data scales at which statements per operation are measured after the main rounds. */
  sqlScales: number[];
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  targets: TargetName[];
  scenarios: ScenarioName[];
  portBase: number;
  database: string;
  pin: boolean;
  docs: boolean;
  /** Extra routers under test, each with settings of its own: an A/B of a setting in one run. */
  routerVariants: RouterVariant[];
}

export const BENCH_USAGE = `Usage: npm run bench -- [flags]

  --quick                 short rounds for development (2 rounds of 5 s, 3 s warm-up); docs/benchmarks.md is
                          left alone unless --docs
  --scale N               seed data scale: N x (1000 products, 50 customers with 20 orders each); default 1
  --sql-scales LIST       after the rounds, grow the data to each scale and count SQL statements per
                          operation; default 1,10 ("none" skips it)
  --rounds N              rounds per scenario, each target once per round; default 3
  --duration S            seconds per target per round; default 20
  --warmup S              seconds of warm-up per target and scenario; default 10
  --connections N         concurrent connections; default 50
  --targets LIST          of ${TARGET_NAMES.join(', ')}; default all
  --scenarios LIST        of ${SCENARIOS.map((scenario) => scenario.name).join(', ')}; default all.
                          gateways-bench is the public graphql-gateways-benchmark's query on that
                          benchmark's four subgraphs (accounts, inventory, products, reviews), lean
                          in-memory Node processes the bench starts and composes into a supergraph of
                          their own; it runs after the others, on every target but direct, and needs
                          no database (alone, it seeds nothing)
  --port-base N           router port; subgraphs at +1..+6, peers at +10..+12, SQL proxy at +20, lean
                          subgraphs at +41..+44; default 14000
  --database NAME         the bench database, dropped and recreated; default bench
  --no-pin                do not pin processes to CPUs
  --docs / --no-docs      write the table into docs/benchmarks.md (default: on for full runs)
  --router-variant NAME:KEY=VALUE,...
                          one more router under test, started with these settings added (repeatable;
                          e.g. --router-variant no-otel:OTEL_CONTEXT=off); it takes turns with the others
`;

function positiveInteger(
  name: string,
  value: string | undefined,
  fallback: number,
  problems: string[],
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    problems.push(`--${name} must be a whole number of at least 1`);
  return parsed;
}

function list<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  problems: string[],
): T[] {
  if (value === undefined) return [...allowed];
  const items = value.split(',').map((item) => item.trim());
  const unknown = items.filter((item) => !allowed.includes(item as T));
  if (unknown.length > 0)
    problems.push(`--${name}: unknown ${unknown.join(', ')} (known: ${allowed.join(', ')})`);
  return items as T[];
}

function scales(value: string | undefined, problems: string[]): number[] {
  if (value === 'none') return [];
  const items = (value ?? '1,10').split(',').map(Number);
  if (items.some((item) => !Number.isInteger(item) || item < 1)) {
    problems.push('--sql-scales must be whole numbers of at least 1, comma-separated, or none');
  }
  return [...new Set(items)].sort((a, b) => a - b);
}

/** The flags, or a list of what is wrong with them. */
/** `NAME:KEY=VALUE,KEY=VALUE`; a value cannot hold a comma. */
function routerVariant(value: string, problems: string[]): RouterVariant {
  const [name = '', settings = ''] = value.split(/:(.*)/s);
  const env: Record<string, string> = {};
  const given = settings.split(',').filter(Boolean);
  for (const setting of given) {
    const [key = '', assigned] = setting.split(/=(.*)/s);
    if (!/^[A-Z_][A-Z0-9_]*$/.test(key) || assigned === undefined)
      problems.push(`--router-variant ${value}: "${setting}" is not KEY=VALUE`);
    else env[key] = assigned;
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
    problems.push(`--router-variant ${value}: the name before ":" must be lower-case letters, digits and -`);
  else if (given.length === 0) problems.push(`--router-variant ${value}: give at least one KEY=VALUE`);
  return { name, env };
}

export function parseBenchFlags(
  args: string[],
): { flags: BenchFlags } | { problems: string[] } | { help: true } {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        help: { type: 'boolean' },
        quick: { type: 'boolean' },
        scale: { type: 'string' },
        'sql-scales': { type: 'string' },
        rounds: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        targets: { type: 'string' },
        scenarios: { type: 'string' },
        'port-base': { type: 'string' },
        database: { type: 'string' },
        'no-pin': { type: 'boolean' },
        docs: { type: 'boolean' },
        'no-docs': { type: 'boolean' },
        'router-variant': { type: 'string', multiple: true },
      },
      strict: true,
    }));
  } catch (error) {
    return { problems: [error instanceof Error ? error.message : String(error)] };
  }
  if (values.help) return { help: true };
  const problems: string[] = [];
  const quick = values.quick ?? false;
  const database = values.database ?? 'bench';
  if (!/^[a-z_][a-z0-9_]*$/.test(database))
    problems.push('--database must be a lower-case Postgres identifier');
  const flags: BenchFlags = {
    quick,
    scale: positiveInteger('scale', values.scale, 1, problems),
    sqlScales: scales(values['sql-scales'], problems),
    rounds: positiveInteger('rounds', values.rounds, quick ? 2 : 3, problems),
    durationSeconds: positiveInteger('duration', values.duration, quick ? 5 : 20, problems),
    warmupSeconds: positiveInteger('warmup', values.warmup, quick ? 3 : 10, problems),
    connections: positiveInteger('connections', values.connections, 50, problems),
    targets: list('targets', values.targets, TARGET_NAMES, problems),
    scenarios: list(
      'scenarios',
      values.scenarios,
      SCENARIOS.map((scenario) => scenario.name),
      problems,
    ),
    portBase: positiveInteger('port-base', values['port-base'], 14_000, problems),
    database,
    pin: !values['no-pin'],
    docs: values['no-docs'] ? false : (values.docs ?? !quick),
    routerVariants: (values['router-variant'] ?? []).map((value) => routerVariant(value, problems)),
  };
  const names = flags.routerVariants.map((variant) => variant.name);
  if (new Set(names).size !== names.length) problems.push('--router-variant names must differ');
  if (names.length > 0 && !flags.targets.includes('router'))
    problems.push('--router-variant needs the router among --targets');
  return problems.length > 0 ? { problems } : { flags };
}

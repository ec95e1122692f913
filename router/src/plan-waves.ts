import type { executeQueryPlan } from '@apollo/gateway';

export type QueryPlan = Parameters<typeof executeQueryPlan>[0];
export type PlanNode = Exclude<NonNullable<QueryPlan['node']>, { kind: 'Subscription' }>;
type ConditionNode = Extract<PlanNode, { kind: 'Condition' }>;

/** A Condition around a fetch, and which of its clauses holds the fetch. */
interface Guard {
  condition: string;
  clause: 'ifClause' | 'elseClause';
}

/** Whether a subgraph takes several operations in one request (subgraph-batch.ts). */
export type BatchCapability = (subgraph: string) => boolean;

/** One fetch of the plan, with what it must wait for and the wave it is given. */
interface Unit {
  /** The fetch as the plan runs it: its Flatten, inside the Conditions that guard it. */
  node: PlanNode;
  subgraph: string;
  /** The fetches it must start after: those of the step before it in each enclosing Sequence. */
  after: Unit[];
  /** The fetches that must start after it. */
  before: Unit[];
  wave: number;
}

/** A plan shape this rewrite does not know (a Defer, a Flatten around more than one fetch). */
class UnknownShape extends Error {}

/** Rewrites a plan into waves (planInWaves) in place: the gateway runs the very object it planned. */
export function scheduleInWaves(plan: QueryPlan, canBatch: BatchCapability): void {
  if (plan.node && plan.node.kind !== 'Subscription') plan.node = planInWaves(plan.node, canBatch);
}

/**
 * Rewrites a query plan into waves, so that the fetches a subgraph can take together go out together.
 *
 * @apollo/query-planner nests a Sequence per branch of the query: `users { reviews { product } }` and
 * `topProducts { reviews { author } }` each walk their own levels, and the gateway runs them side by
 * side, so the two branches' fetches to one subgraph leave at different moments. Here every fetch
 * starts in the first wave after all the fetches it waits for (the step before it in each Sequence
 * that holds it), and then, latest wave first, a subgraph's fetches move to a later wave that already
 * calls that subgraph when every fetch waiting for them still comes after: such a move joins a request
 * that is made anyway and never makes the plan longer. The plan becomes a Sequence of Parallels the
 * gateway runs as it runs any plan (its inputs, requires, error paths and result merging unchanged),
 * and every fetch of a wave reaches its subgraph's data source in the same tick.
 *
 * Waiting for a whole wave can delay a branch behind a slower one, so the plan is only rewritten when
 * it then needs fewer subgraph requests: a fetch to a subgraph that cannot batch is one request in
 * any wave. Plans with Defer or Subscription nodes, which the gateway does not run, stay as they are.
 */
export function planInWaves(node: PlanNode, canBatch: BatchCapability): PlanNode {
  const units: Unit[] = [];
  try {
    collect(node, [], [], units);
  } catch (error) {
    if (error instanceof UnknownShape) return node;
    throw error;
  }
  if (units.length < 2) return node;
  // Units come in plan order, so the fetches one waits for are placed before it.
  for (const unit of units) {
    unit.wave = Math.max(0, ...unit.after.map((earlier) => earlier.wave + 1));
    for (const earlier of unit.after) earlier.before.push(unit);
  }
  const waves = Math.max(...units.map((unit) => unit.wave)) + 1;
  joinLaterRequests(units, waves, canBatch);
  if (requestCount(units, canBatch) >= units.length) return node;

  const steps: PlanNode[] = [];
  for (let wave = 0; wave < waves; wave++) {
    const nodes = units.filter((unit) => unit.wave === wave).map((unit) => unit.node);
    const [only] = nodes;
    if (nodes.length > 1) steps.push({ kind: 'Parallel', nodes });
    else if (only) steps.push(only);
  }
  const [first] = steps;
  return steps.length === 1 && first ? first : { kind: 'Sequence', nodes: steps };
}

/**
 * Adds the fetches of `node` to `units`, each waiting for `after`, and returns them. `guards` are the
 * Conditions around `node`, each kept with the branch `node` is in: a fetch is wrapped in them again,
 * so it runs exactly when it ran in the original plan.
 */
function collect(node: PlanNode, after: Unit[], guards: Guard[], units: Unit[]): Unit[] {
  switch (node.kind) {
    case 'Fetch':
    case 'Flatten': {
      const fetch = node.kind === 'Fetch' ? node : node.node;
      if (fetch.kind !== 'Fetch') throw new UnknownShape();
      const guarded = guards.reduceRight<PlanNode>(
        (inner, { condition, clause }): ConditionNode => ({ kind: 'Condition', condition, [clause]: inner }),
        node,
      );
      const unit: Unit = { node: guarded, subgraph: fetch.serviceName, after, before: [], wave: 0 };
      units.push(unit);
      return [unit];
    }
    case 'Sequence': {
      const all: Unit[] = [];
      let previous = after;
      for (const child of node.nodes) {
        const added = collect(child, previous, guards, units);
        all.push(...added);
        if (added.length > 0) previous = added;
      }
      return all;
    }
    case 'Parallel':
      return node.nodes.flatMap((child) => collect(child, after, guards, units));
    case 'Condition': {
      const { condition, ifClause, elseClause } = node;
      return [
        ...(ifClause ? collect(ifClause, after, [...guards, { condition, clause: 'ifClause' }], units) : []),
        ...(elseClause
          ? collect(elseClause, after, [...guards, { condition, clause: 'elseClause' }], units)
          : []),
      ];
    }
    default:
      throw new UnknownShape();
  }
}

/**
 * Latest wave first, moves a subgraph's fetches of one wave to later waves that call the same
 * subgraph, when each has such a wave before any fetch waiting for it: the wave then calls that
 * subgraph once less. Fetches of one wave never wait for each other, so they move independently, and
 * moving a fetch later only gives the fetches it waits for more room.
 */
function joinLaterRequests(units: Unit[], waves: number, canBatch: BatchCapability): void {
  const calls = (wave: number, subgraph: string, except: Unit[]) =>
    units.some((unit) => unit.wave === wave && unit.subgraph === subgraph && !except.includes(unit));

  for (let wave = waves - 2; wave >= 0; wave--) {
    const subgraphs = new Set(units.filter((unit) => unit.wave === wave).map((unit) => unit.subgraph));
    for (const subgraph of subgraphs) {
      if (!canBatch(subgraph)) continue;
      const group = units.filter((unit) => unit.wave === wave && unit.subgraph === subgraph);
      const moves = group.map((unit) => {
        const latest = Math.min(waves - 1, ...unit.before.map((next) => next.wave - 1));
        for (let later = wave + 1; later <= latest; later++) {
          if (calls(later, subgraph, group)) return { unit, later };
        }
        return undefined;
      });
      if (moves.every((move) => move !== undefined)) for (const { unit, later } of moves) unit.wave = later;
    }
  }
}

/** Subgraph requests the waves make: one per subgraph per wave, or one per fetch where it cannot batch. */
function requestCount(units: Unit[], canBatch: BatchCapability): number {
  const requests = new Set<string>();
  let unbatched = 0;
  for (const unit of units) {
    if (canBatch(unit.subgraph)) requests.add(`${unit.wave}\u0000${unit.subgraph}`);
    else unbatched++;
  }
  return requests.size + unbatched;
}

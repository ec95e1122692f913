import pg from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { openDatabase, type Database, type DatabaseOptions } from '@supergraph/db';
import { createTestSchema, type TestSchema } from '@supergraph/testing';

/** What the statements of one lookup path cost, as Postgres plans them. */
export interface PathPlan {
  /** The statements as Postgres received them. */
  statements: string[];
  /** Tables some statement reads by a sequential scan: a lookup with no index to serve it. */
  seqScans: string[];
  /** Indexes the plans read, and those an `insert ... on conflict` decides by. */
  indexes: string[];
}

export interface PlannedSchema {
  schema: TestSchema;
  orm: Database;
  /** Runs the work on a fresh EntityManager and plans every statement it sent. */
  plan: (work: (em: EntityManager) => Promise<unknown>) => Promise<PathPlan>;
  close: () => Promise<void>;
}

/** Transaction control carries no lookup (and `explain` refuses it). */
const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|set |reset )/i;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Conflict Arbiter Indexes'?: string[];
  Plans?: PlanNode[];
}

function* nodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodes(child);
}

/**
 * A subgraph's schema, provisioned and migrated exactly as a deployment's, whose statements are recorded
 * as sent and explained on a connection where sequential scans are off. With them off the planner still
 * takes one when no index can serve the statement, so an empty table plans as a big one would: by index
 * where an index exists, by sequential scan where none does.
 */
export async function openPlannedSchema(
  subgraph: string,
  options: Pick<DatabaseOptions, 'entities' | 'migrationsPath'>,
): Promise<PlannedSchema> {
  const schema = await createTestSchema(subgraph);
  let recording: Array<{ sql: string; params: readonly unknown[] }> | null = null;
  const orm = await openDatabase({
    ...options,
    clientUrl: schema.clientUrl,
    schema: schema.name,
    poolMax: 4,
    onQuery: (sql, params) => recording?.push({ sql, params }),
  }).catch(async (error: unknown) => {
    await schema.drop();
    throw error;
  });
  const explainer = new pg.Client({ connectionString: schema.clientUrl });
  await explainer.connect();
  await explainer.query('set enable_seqscan = off');

  async function explain(statement: string): Promise<PlanNode> {
    const result = await explainer.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `explain (format json) ${statement}`,
    );
    return result.rows[0]!['QUERY PLAN'][0]!.Plan;
  }

  return {
    schema,
    orm,
    plan: async (work) => {
      recording = [];
      const sent = recording;
      try {
        await work(orm.em.fork());
      } finally {
        recording = null;
      }
      // MikroORM inlines the parameters itself: this is the text Postgres receives.
      const platform = orm.em.getPlatform();
      const statements = sent
        .map(({ sql, params }) => platform.formatQuery(sql, [...params]))
        .filter((sql) => !CONTROL.test(sql));
      const seqScans = new Set<string>();
      const indexes = new Set<string>();
      for (const statement of statements) {
        for (const node of nodes(await explain(statement))) {
          if (node['Node Type'] === 'Seq Scan') seqScans.add(node['Relation Name'] ?? '?');
          if (node['Index Name']) indexes.add(node['Index Name']);
          for (const arbiter of node['Conflict Arbiter Indexes'] ?? []) indexes.add(arbiter);
        }
      }
      return { statements, seqScans: [...seqScans].sort(), indexes: [...indexes].sort() };
    },
    close: async () => {
      await explainer.end();
      await orm.close();
      await schema.drop();
    },
  };
}

export interface QueryCounter {
  onQuery: (sql: string) => void;
  /** Statements seen since the last reset, migrations and transaction control excluded. */
  readonly statements: readonly string[];
  reset: () => void;
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release savepoint|set |reset )/i;
// The outbox relay shares the subgraph's ORM and polls in the background; its statements (and the
// NOTIFY that wakes it) are plumbing, not the cost of the operation a test bounds.
const OUTBOX = /"outbox_event"|pg_notify\(/;

/** Records the SQL a subgraph sends, so a test can bound the statements one operation costs. */
export function createQueryCounter(): QueryCounter {
  let statements: string[] = [];
  return {
    onQuery: (sql) => {
      if (!CONTROL.test(sql) && !OUTBOX.test(sql)) statements.push(sql);
    },
    get statements() {
      return statements;
    },
    reset: () => {
      statements = [];
    },
  };
}

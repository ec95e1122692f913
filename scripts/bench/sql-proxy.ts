// Counts the SQL statements each subgraph sends, without touching the subgraphs: they reach Postgres
// through this TCP proxy, which forwards every byte unchanged and reads the frontend messages on the way
// (Postgres protocol 3: https://www.postgresql.org/docs/current/protocol-message-formats.html).
// pg_stat_statements would do this inside Postgres, but it needs shared_preload_libraries and a server
// restart, which a shared database server cannot be asked for.
import { createServer, type Server, type Socket, connect } from 'node:net';

/** Statements one Postgres role (one subgraph) sent. */
export interface StatementCounts {
  /** Queries and commands run for requests: selects, inserts, updates, deletes. */
  statements: number;
  /** The outbox relay's polling and publishing: driven by a timer, not by requests. */
  background: number;
}

const CONTROL =
  /^\s*(begin|start transaction|commit|rollback|savepoint|release|set |reset |show |listen |unlisten )/i;
// The relay claims and marks outbox rows and LISTENs; a request's own `insert into "outbox_event"` and
// the pg_notify in its transaction are work of that request and count as statements.
const RELAY = /\boutbox_event\b/i;
const INSERT = /^\s*insert\s/i;

/** What one statement is: transaction control (not counted), request work, or the relay's polling. */
export function classifyStatement(sql: string): 'control' | 'statement' | 'background' {
  if (CONTROL.test(sql)) return 'control';
  if (RELAY.test(sql) && !INSERT.test(sql)) return 'background';
  return 'statement';
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

function cString(buffer: Buffer, start: number): { value: string; next: number } {
  const end = buffer.indexOf(0, start);
  const stop = end === -1 ? buffer.length : end;
  return { value: buffer.toString('utf8', start, stop), next: stop + 1 };
}

/**
 * Reads the client side of one connection: the untyped start-up messages first, then typed messages.
 * A statement is counted when it is executed: a simple Query ('Q') at once, an extended-protocol one
 * at its Execute ('E'), through the portal Bind ('B') made from a statement Parse ('P') named.
 */
export class FrontendReader {
  #pending: Buffer = Buffer.alloc(0);
  #started = false;
  #user = '';
  readonly #statements = new Map<string, string>();
  readonly #portals = new Map<string, string>();
  readonly #onStatement: (user: string, sql: string) => void;

  constructor(onStatement: (user: string, sql: string) => void) {
    this.#onStatement = onStatement;
  }

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let offset = 0;
    while (true) {
      const consumed = this.#started ? this.#typed(offset) : this.#startup(offset);
      if (consumed === 0) break;
      offset += consumed;
    }
    this.#pending = this.#pending.subarray(offset);
  }

  #startup(offset: number): number {
    const buffer = this.#pending;
    if (buffer.length - offset < 8) return 0;
    const length = buffer.readInt32BE(offset);
    if (buffer.length - offset < length) return 0;
    const code = buffer.readInt32BE(offset + 4);
    if (code !== SSL_REQUEST && code !== GSS_REQUEST && code !== CANCEL_REQUEST) {
      this.#started = true;
      let position = offset + 8;
      while (position < offset + length - 1) {
        const key = cString(buffer, position);
        const value = cString(buffer, key.next);
        if (key.value === 'user') this.#user = value.value;
        position = value.next;
      }
    }
    return length;
  }

  #typed(offset: number): number {
    const buffer = this.#pending;
    if (buffer.length - offset < 5) return 0;
    const length = buffer.readInt32BE(offset + 1);
    if (buffer.length - offset < length + 1) return 0;
    const type = String.fromCharCode(buffer[offset] ?? 0);
    const body = offset + 5;
    if (type === 'Q') {
      this.#count(cString(buffer, body).value);
    } else if (type === 'P') {
      const name = cString(buffer, body);
      this.#statements.set(name.value, cString(buffer, name.next).value);
    } else if (type === 'B') {
      const portal = cString(buffer, body);
      this.#portals.set(portal.value, this.#statements.get(cString(buffer, portal.next).value) ?? '');
    } else if (type === 'E') {
      this.#count(this.#portals.get(cString(buffer, body).value) ?? '');
    }
    return length + 1;
  }

  #count(sql: string): void {
    this.#onStatement(this.#user, sql);
  }
}

export interface SqlProxy {
  server: Server;
  port: number;
  /** Counts per Postgres role since the proxy started. */
  counts: () => Record<string, StatementCounts>;
  close: () => Promise<void>;
}

/** Listens on `port` (0: any free one) and forwards every connection to Postgres at `target`. */
export async function startSqlProxy(options: {
  port: number;
  target: { host: string; port: number };
}): Promise<SqlProxy> {
  const counts: Record<string, StatementCounts> = {};
  const sockets = new Set<Socket>();
  const record = (user: string, sql: string) => {
    const kind = classifyStatement(sql);
    if (kind === 'control') return;
    const entry = (counts[user] ??= { statements: 0, background: 0 });
    if (kind === 'statement') entry.statements += 1;
    else entry.background += 1;
  };

  const server = createServer((client) => {
    const upstream = connect(options.target.port, options.target.host);
    sockets.add(client).add(upstream);
    const reader = new FrontendReader(record);
    client.on('data', (chunk: Buffer) => reader.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    port,
    counts: () => structuredClone(counts),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

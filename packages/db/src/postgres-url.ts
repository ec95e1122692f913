/** The same server and credentials, another database. */
export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Where a URL points, without its password, for messages an operator reads. */
export function describeTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.username || '(default user)'}@${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/** One line that says what went wrong reaching Postgres and how to fix it. */
export function describePostgresError(error: unknown, url: string): { message: string; hint: string } {
  const target = describeTarget(url);
  const code = (error as { code?: string } | undefined)?.code;
  const text = error instanceof Error ? error.message : String(error);
  // pg's pool says by message only that a connection did not open within its acquire timeout.
  const timedOut = /due to connection timeout|timeout exceeded when trying to connect/.test(text);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'ETIMEDOUT' ||
    timedOut ||
    /ECONNREFUSED/.test(text)
  ) {
    return {
      message: `Postgres is unreachable at ${target}`,
      hint: 'start Postgres (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or fix DATABASE_URL',
    };
  }
  if (code === '28000' || code === '28P01') {
    return {
      message: `Postgres refused the login for ${target}: ${text}`,
      hint: 'create the role with `npm run db:provision` or fix the user and password in DATABASE_URL',
    };
  }
  if (code === '3D000') {
    return {
      message: `Postgres database does not exist at ${target}`,
      hint: 'create it with `npm run db:provision` or fix DATABASE_URL',
    };
  }
  if (code === '3F000' || code === '42501') {
    return {
      message: `the subgraph's Postgres schema is missing or not its own at ${target}: ${text}`,
      hint: 'create the schema and role with `npm run db:provision`',
    };
  }
  return { message: `Postgres failed at ${target}: ${text}`, hint: 'check DATABASE_URL and the server log' };
}

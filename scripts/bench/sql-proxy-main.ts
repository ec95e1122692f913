// The statement-counting Postgres proxy as a process of its own (pinned beside the subgraphs), so its
// work does not share an event loop with the load generator. GET /counts answers the counts per role.
// Settings come from the bench that starts it: BENCH_SQL_PROXY_PORT, BENCH_SQL_PROXY_HTTP_PORT,
// BENCH_POSTGRES_HOST, BENCH_POSTGRES_PORT.
import { createServer } from 'node:http';
import { exitWithParent } from './exit-with-parent.ts';
import { startSqlProxy } from './sql-proxy.ts';

function required(name: string): number {
  const value = Number(process.env[name]);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`sql-proxy: set ${name} to a port number\n`);
    process.exit(1);
  }
  return value;
}

const proxy = await startSqlProxy({
  port: required('BENCH_SQL_PROXY_PORT'),
  target: { host: process.env.BENCH_POSTGRES_HOST ?? '127.0.0.1', port: required('BENCH_POSTGRES_PORT') },
});
const http = createServer((req, res) => {
  const ok = req.url === '/counts' || req.url === '/ready';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(req.url === '/counts' ? proxy.counts() : { ok }));
});
http.listen(required('BENCH_SQL_PROXY_HTTP_PORT'), '127.0.0.1');

// Counts are read while the bench runs; at the end nothing is left to keep, so stopping is immediate.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    http.close();
    void proxy.close();
    process.exit(0);
  });
}
exitWithParent();

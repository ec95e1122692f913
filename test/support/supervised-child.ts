// A process for the process manager's own tests (test/process-manager.test.ts). It listens on PORT and
// answers /ready, and behaves as its environment says:
//   FIXTURE_FAIL_WHILE=<file>  exits with code 3 at start, with a one-line error, while the file exists
//   FIXTURE_IGNORE_SIGTERM=1   carries on after SIGTERM: only SIGKILL stops it
//   FIXTURE_NEVER_READY=1      answers /ready with 503
// SIGUSR2 makes it exit with code 7, a crash with an exit code.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';

const name = process.env.FIXTURE_NAME ?? 'fixture';
const failWhile = process.env.FIXTURE_FAIL_WHILE;
if (failWhile && existsSync(failWhile)) {
  process.stderr.write(`${name}: cannot start: ${failWhile} exists\n`);
  process.exit(3);
}

const ready = process.env.FIXTURE_NEVER_READY !== '1';
const server = createServer((request, response) => {
  response.writeHead(request.url === '/ready' && ready ? 200 : 503).end();
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.stdout.write(`listening on ${process.env.PORT}\n`);
});
process.on('SIGUSR2', () => process.exit(7));
process.on('SIGTERM', () => {
  if (process.env.FIXTURE_IGNORE_SIGTERM === '1') {
    process.stdout.write('ignoring SIGTERM\n');
    return;
  }
  process.exit(0);
});

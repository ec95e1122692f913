// Usage: npm run dead-letters -- <domain> list
//        npm run dead-letters -- <domain> replay <event-id> [<event-id> ...]
//
// Lists the events a domain's worker gave up on after its last attempt, or puts them back on its queue.
// A replay is safe to repeat: the worker records each event it handled, so an event already handled
// has no second effect. Connects like the domain's worker: DATABASE_URL, DATABASE_SCHEMA, REDIS_URL and
// EVENT_QUEUE_PREFIX from the environment, defaulting to the `npm start` development setup.
import { openDatabase } from '@supergraph/db';
import {
  CONSUMERS,
  consumerEntities,
  listDeadLetters,
  replayDeadLetter,
  type Consumer,
} from '@supergraph/events';
import { devSubgraphDatabaseUrl } from './dev-env.ts';

const [domain, command, ...ids] = process.argv.slice(2);

function usage(message: string): never {
  process.stderr.write(
    `dead-letters: ${message}\nusage: npm run dead-letters -- <${CONSUMERS.join('|')}> list | replay <event-id>...\n`,
  );
  process.exit(2);
}

if (!CONSUMERS.includes(domain as Consumer)) usage(`unknown domain ${JSON.stringify(domain ?? '')}`);
if (command !== 'list' && command !== 'replay') usage(`unknown command ${JSON.stringify(command ?? '')}`);
if (command === 'replay' && ids.length === 0) usage('replay needs at least one event id');

const consumer = domain as Consumer;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const orm = await openDatabase({
  clientUrl: process.env.DATABASE_URL ?? devSubgraphDatabaseUrl(consumer),
  schema: process.env.DATABASE_SCHEMA ?? consumer,
  entities: consumerEntities,
  migrationsPath: new URL(`../subgraphs/${consumer}/migrations`, import.meta.url).pathname,
});
try {
  if (command === 'list') {
    const letters = await listDeadLetters(orm.em.fork());
    for (const letter of letters) {
      process.stdout.write(
        `${JSON.stringify({
          eventId: letter.eventId,
          type: letter.type,
          attempts: letter.attempts,
          failedAt: letter.failedAt,
          replayedAt: letter.replayedAt,
          error: letter.error,
        })}\n`,
      );
    }
    process.stderr.write(`${letters.length} dead letter(s) in ${consumer}\n`);
  } else {
    for (const id of ids) {
      const replayed = await replayDeadLetter(orm.em.fork(), consumer, redisUrl, id, {
        attempts: Number(process.env.EVENT_ATTEMPTS ?? 6),
        backoffMs: Number(process.env.EVENT_BACKOFF_MS ?? 1_000),
        prefix: process.env.EVENT_QUEUE_PREFIX ?? 'supergraph',
      });
      process.stdout.write(`${id}: ${replayed ? 'replayed' : 'no such dead letter'}\n`);
      if (!replayed) process.exitCode = 1;
    }
  }
} finally {
  await orm.close();
}

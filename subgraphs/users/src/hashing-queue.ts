import { DomainError } from '@supergraph/errors';

export interface HashingQueueOptions {
  /** Password hashes computed at once; the others wait their turn, first come first served. */
  concurrency: number;
  /** How long a hash may wait for its turn before the request is refused, with nothing written. */
  maxWaitMs: number;
}

export interface HashingQueue {
  run: <T>(task: () => Promise<T>) => Promise<T>;
}

interface Waiting {
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Admits password hashes (sign-ups, sign-ins) a few at a time, first come first served. A hash is CPU and
 * memory on one of libuv's four pool threads. Started all at once, a burst fills the pool: the hashes
 * share the cores, all finish together at the end, and whatever else needs a pool thread (signing the
 * new account's token, DNS lookups, files) waits behind all of them. One per core, the first to arrive
 * is answered first and the pool keeps threads free. A request that gets no turn in time is refused at
 * once with SERVICE_UNAVAILABLE, before anything is written, rather than left to run past the router's
 * deadline, where it would be written anyway, reported to the client as failed, and counted by the
 * router's breaker against every other query to this subgraph.
 */
export function createHashingQueue(options: HashingQueueOptions): HashingQueue {
  let running = 0;
  const waiting: Waiting[] = [];

  function next(): void {
    const turn = waiting.shift();
    if (!turn) return;
    clearTimeout(turn.timer);
    turn.start();
  }

  return {
    run: <T>(task: () => Promise<T>): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        // A task hands its turn on before its caller is answered; one that throws at once frees it too.
        const finish = () => {
          running -= 1;
          next();
        };
        const start = () => {
          running += 1;
          new Promise<T>((run) => run(task())).then(
            (value) => (finish(), resolve(value)),
            (error: unknown) => (finish(), reject(error)),
          );
        };
        if (running < options.concurrency) {
          start();
          return;
        }
        const turn: Waiting = {
          start,
          timer: setTimeout(() => {
            waiting.splice(waiting.indexOf(turn), 1);
            reject(busy());
          }, options.maxWaitMs),
        };
        waiting.push(turn);
      }),
  };
}

function busy(): DomainError {
  return new DomainError(
    'SERVICE_UNAVAILABLE',
    'Too many sign-ups and sign-ins at once; nothing was changed, try again in a few seconds.',
  );
}

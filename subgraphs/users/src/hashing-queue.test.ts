import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@supergraph/errors';
import { createHashingQueue } from './hashing-queue.ts';

/** A task that runs until the test lets it finish, recording that it started. */
function gate(started: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    task: async () => {
      started.push(name);
      await opened;
      return name;
    },
    open,
  };
}

describe('createHashingQueue', () => {
  it('runs at most `concurrency` tasks at once, the others in the order they came', async () => {
    const queue = createHashingQueue({ concurrency: 2, maxWaitMs: 60_000 });
    const started: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
    const results = gates.map(({ task }) => queue.run(task));
    expect(started).toEqual(['a', 'b']);

    gates[1]!.open();
    await expect(results[1]).resolves.toBe('b');
    expect(started).toEqual(['a', 'b', 'c']);
    gates[0]!.open();
    await expect(results[0]).resolves.toBe('a');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates[2]!.open();
    gates[3]!.open();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c', 'd']);
  });

  it('frees the turn of a task that fails', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaitMs: 60_000 });
    const failing = queue.run(async () => {
      throw new Error('scrypt: invalid parameters');
    });
    const next = queue.run(async () => 'next');
    await expect(failing).rejects.toThrow('scrypt: invalid parameters');
    await expect(next).resolves.toBe('next');
  });

  it('refuses a task that gets no turn in time with SERVICE_UNAVAILABLE, and never starts it', async () => {
    const queue = createHashingQueue({ concurrency: 1, maxWaitMs: 50 });
    const started: string[] = [];
    const busy = gate(started, 'busy');
    const running = queue.run(busy.task);
    const refused = await queue.run(gate(started, 'late').task).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Too many sign-ups and sign-ins at once; nothing was changed, try again in a few seconds.',
    });

    busy.open();
    await running;
    // The refused task left the line: the next one runs, and the refused one never did.
    await expect(queue.run(async () => 'after')).resolves.toBe('after');
    expect(started).toEqual(['busy']);
  });
});

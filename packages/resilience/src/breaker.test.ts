import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@supergraph/errors';
import { createBreaker, type BreakerOptions } from './breaker.ts';

const options: BreakerOptions = {
  timeoutMs: 100,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 200,
  volumeThreshold: 3,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function codeOf(error: unknown): string | undefined {
  return error instanceof DomainError ? error.code : undefined;
}

describe('createBreaker', () => {
  it('passes results through while the dependency answers', async () => {
    const breaker = createBreaker('echo', async (_signal, value: number) => value * 2, options);
    await expect(breaker.call(21)).resolves.toBe(42);
    expect(breaker.state()).toBe('closed');
    breaker.shutdown();
  });

  it('turns a slow call into SERVICE_UNAVAILABLE and aborts it through its signal', async () => {
    let aborted = false;
    const breaker = createBreaker(
      'slow service',
      (signal) =>
        new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason as Error);
          });
        }),
      options,
    );
    const error = await breaker.call().catch((caught: unknown) => caught);
    expect(codeOf(error)).toBe('SERVICE_UNAVAILABLE');
    expect((error as Error).message).toBe(
      'slow service did not answer in time; nothing was changed, try again shortly',
    );
    await sleep(20);
    expect(aborted).toBe(true);
    breaker.shutdown();
  });

  it('never aborts the signal of a call that answered in time', async () => {
    let seen: AbortSignal | undefined;
    const breaker = createBreaker(
      'quick service',
      async (signal) => {
        seen = signal;
        return 'done';
      },
      options,
    );
    await expect(breaker.call()).resolves.toBe('done');
    await sleep(options.timeoutMs + 50);
    expect(seen?.aborted).toBe(false);
    breaker.shutdown();
  });

  it('lets a deliberate DomainError through without counting it as a failure', async () => {
    const breaker = createBreaker(
      'catalog',
      async () => {
        throw new DomainError('BAD_USER_INPUT', 'no such product');
      },
      { ...options, volumeThreshold: 1 },
    );
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const error = await breaker.call().catch((caught: unknown) => caught);
      expect(codeOf(error)).toBe('BAD_USER_INPUT');
    }
    expect(breaker.state()).toBe('closed');
    breaker.shutdown();
  });

  it('stays closed after one failure, opens past the volume threshold, then fails fast', async () => {
    let calls = 0;
    const breaker = createBreaker(
      'flaky',
      async () => {
        calls += 1;
        throw new Error('connect ECONNREFUSED 10.0.0.7:4002');
      },
      options,
    );
    await breaker.call().catch(() => undefined);
    expect(breaker.state()).toBe('closed');
    await breaker.call().catch(() => undefined);
    await breaker.call().catch(() => undefined);
    expect(breaker.state()).toBe('open');

    const error = await breaker.call().catch((caught: unknown) => caught);
    expect(calls).toBe(3);
    expect(codeOf(error)).toBe('SERVICE_UNAVAILABLE');
    // Nothing internal (the address it failed to reach) leaks into the client's message.
    expect((error as Error).message).toBe(
      'flaky is unavailable right now; nothing was changed, try again shortly',
    );
    breaker.shutdown();
  });

  it('closes again after a successful probe once the reset timeout has passed', async () => {
    let healthy = false;
    const breaker = createBreaker(
      'recovering',
      async () => {
        if (!healthy) throw new Error('down');
        return 'ok';
      },
      options,
    );
    for (let attempt = 0; attempt < 3; attempt += 1) await breaker.call().catch(() => undefined);
    expect(breaker.state()).toBe('open');
    healthy = true;
    await sleep(options.resetTimeoutMs + 50);
    expect(breaker.state()).toBe('half-open');
    await expect(breaker.call()).resolves.toBe('ok');
    expect(breaker.state()).toBe('closed');
    breaker.shutdown();
  });
});

import { describe, expect, it } from '@jest/globals';
import { withTimeout } from './with-timeout.ts';

describe('withTimeout', () => {
  it('passes on what the work settles with, in time', async () => {
    await expect(withTimeout(Promise.resolve('done'), 50, 'too slow')).resolves.toBe('done');
    await expect(withTimeout(Promise.reject(new Error('refused')), 50, 'too slow')).rejects.toThrow(
      'refused',
    );
  });

  it('rejects with the given message when the work hangs', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'Redis did not answer')).rejects.toThrow(
      'Redis did not answer',
    );
  });
});

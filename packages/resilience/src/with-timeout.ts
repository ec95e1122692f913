/**
 * `work`, or a rejection with `message` once `ms` have passed, whichever comes first; the timer is
 * cleared either way. The work itself is not cancelled (use an AbortSignal where the callee takes one):
 * this bounds how long a caller waits on a dependency that may hang, e.g. Redis.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

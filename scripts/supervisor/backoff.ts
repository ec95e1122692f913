/** How long the supervisor waits before it starts a process that exited again. */
export interface BackoffPolicy {
  /** The wait before the first restart of a streak. */
  initialMs: number;
  /** Each further exit in a streak multiplies the wait by this. */
  factor: number;
  /** The wait never grows past this: a process that keeps crashing is retried at this pace for ever. */
  maxMs: number;
  /** A process that has stayed ready this long ends its streak: its next exit waits `initialMs` again. */
  resetAfterMs: number;
}

/**
 * 1 s, 2 s, 4 s ... up to 30 s, reset after 30 s of being ready: PM2's exponential backoff restart
 * delay, and the same shape as Kubernetes' CrashLoopBackOff (10 s doubling to 5 min, reset after 10 min
 * up) scaled to a laptop, where a crash is usually fixed by saving a file.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 1_000,
  factor: 2,
  maxMs: 30_000,
  resetAfterMs: 30_000,
};

/** The wait before restart number `streak` of a streak (1 for the first exit since the process was stable). */
export function restartDelay(streak: number, policy: BackoffPolicy): number {
  const delay = policy.initialMs * policy.factor ** Math.max(0, streak - 1);
  return Math.min(delay, policy.maxMs);
}

/** A wait as the supervisor's lines say it: "1 s", "0.25 s", "30 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

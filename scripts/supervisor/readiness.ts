export type Readiness = 'ready' | 'gone' | 'timeout';

/**
 * Polls `url` until it answers 2xx ('ready'), the process it belongs to is gone ('gone', as `alive`
 * says), or `timeoutMs` has passed ('timeout'). A refused or slow request only means not yet.
 */
export async function waitUntilReady(
  url: string,
  options: { alive: () => boolean; timeoutMs: number; intervalMs: number },
): Promise<Readiness> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (!options.alive()) return 'gone';
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      // Still ours: the process may have died while the request was under way.
      if (response.ok && options.alive()) return 'ready';
    } catch {
      // Not listening yet.
    }
    if (Date.now() >= deadline) return 'timeout';
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

import CircuitBreaker from 'opossum';
import { DomainError } from '@supergraph/errors';
import type { Logger } from '@supergraph/logging';

export interface BreakerOptions {
  /** A call that takes longer fails (its AbortSignal fires) and counts as a failure. */
  timeoutMs: number;
  /** The share of failed calls, in the rolling window, at which the breaker opens. */
  errorThresholdPercentage: number;
  /** How long the breaker stays open before it lets one probe call through. */
  resetTimeoutMs: number;
  /** Calls in the window before the breaker may open at all: one early failure must not open it. */
  volumeThreshold: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A dependency call guarded by a timeout and a circuit breaker. */
export interface Breaker<TArgs extends unknown[], TResult> {
  call: (...args: TArgs) => Promise<TResult>;
  state: () => BreakerState;
  shutdown: () => void;
}

/**
 * Wraps a call to one dependency (a subgraph, the payment provider) in an opossum circuit breaker. The
 * action gets an AbortSignal that fires at the timeout, so a slow request is cancelled, not left running.
 * When the call times out, fails or the breaker is open, the caller gets SERVICE_UNAVAILABLE naming the
 * dependency, at once while the breaker is open. A DomainError the action throws on purpose (the
 * dependency answered "no such product") passes through and does not count as a failure.
 */
export function createBreaker<TArgs extends unknown[], TResult>(
  dependency: string,
  action: (signal: AbortSignal, ...args: TArgs) => Promise<TResult>,
  options: BreakerOptions,
  logger?: Logger,
  hooks: { onStateChange?: (state: BreakerState) => void } = {},
): Breaker<TArgs, TResult> {
  const breaker = new CircuitBreaker(
    (...args: TArgs) => {
      // Not AbortSignal.timeout: its timer outlives the call and fires anyway, building a DOMException
      // with its stack for every call ever made, one timeout later. This one is cleared when the call
      // settles.
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException(`${dependency} timed out`, 'TimeoutError')),
        options.timeoutMs,
      );
      return action(controller.signal, ...args).finally(() => clearTimeout(timer));
    },
    {
      name: dependency,
      timeout: options.timeoutMs,
      errorThresholdPercentage: options.errorThresholdPercentage,
      resetTimeout: options.resetTimeoutMs,
      volumeThreshold: options.volumeThreshold,
      errorFilter: (error: unknown) => error instanceof DomainError && error.code !== 'SERVICE_UNAVAILABLE',
    },
  );
  breaker.on('open', () => {
    logger?.warn({ dependency }, `circuit to ${dependency} opened`);
    hooks.onStateChange?.('open');
  });
  breaker.on('halfOpen', () => {
    logger?.info({ dependency }, `circuit to ${dependency} half-open: probing`);
    hooks.onStateChange?.('half-open');
  });
  breaker.on('close', () => {
    logger?.info({ dependency }, `circuit to ${dependency} closed`);
    hooks.onStateChange?.('closed');
  });

  return {
    call: async (...args) => {
      try {
        return await breaker.fire(...args);
      } catch (error) {
        if (error instanceof DomainError && error.code !== 'SERVICE_UNAVAILABLE') throw error;
        logger?.warn({ dependency, err: error }, `call to ${dependency} failed`);
        throw serviceUnavailable(dependency, isTimeout(error) && !breaker.opened);
      }
    },
    state: () => (breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed'),
    shutdown: () => breaker.shutdown(),
  };
}

/** opossum's own timeout, or the action's signal aborting it at the same deadline. */
function isTimeout(error: unknown): boolean {
  return (
    (error as { code?: unknown } | null)?.code === 'ETIMEDOUT' ||
    (error as { name?: unknown } | null)?.name === 'TimeoutError'
  );
}

function serviceUnavailable(dependency: string, timedOut: boolean): DomainError {
  return new DomainError(
    'SERVICE_UNAVAILABLE',
    timedOut
      ? `${dependency} did not answer in time; nothing was changed, try again shortly`
      : `${dependency} is unavailable right now; nothing was changed, try again shortly`,
    { dependency },
  );
}

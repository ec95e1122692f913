import { z } from 'zod';
import type { BreakerOptions } from './breaker.ts';

type BreakerVariable<P extends string> =
  `${P}_TIMEOUT_MS` | `${P}_BREAKER_ERROR_PERCENT` | `${P}_BREAKER_RESET_MS` | `${P}_BREAKER_VOLUME`;

const positiveInt = z.coerce.number().int().positive();

/**
 * The environment variables that tune one dependency's breaker, named after it: `PRODUCTS_TIMEOUT_MS`,
 * `PRODUCTS_BREAKER_ERROR_PERCENT`, `PRODUCTS_BREAKER_RESET_MS`, `PRODUCTS_BREAKER_VOLUME`. Spread it
 * into a process's env schema; read it back with `breakerOptions`.
 */
export function breakerEnv<P extends string>(
  prefix: P,
  defaults: Partial<BreakerOptions> & { timeoutMs: number },
): Record<BreakerVariable<P>, z.ZodDefault<typeof positiveInt>> {
  return {
    [`${prefix}_TIMEOUT_MS`]: positiveInt.default(defaults.timeoutMs),
    [`${prefix}_BREAKER_ERROR_PERCENT`]: positiveInt
      .max(100)
      .default(defaults.errorThresholdPercentage ?? 50),
    [`${prefix}_BREAKER_RESET_MS`]: positiveInt.default(defaults.resetTimeoutMs ?? 10_000),
    [`${prefix}_BREAKER_VOLUME`]: positiveInt.default(defaults.volumeThreshold ?? 5),
  } as Record<BreakerVariable<P>, z.ZodDefault<typeof positiveInt>>;
}

export function breakerOptions<P extends string>(
  env: Record<BreakerVariable<P>, number>,
  prefix: P,
): BreakerOptions {
  return {
    timeoutMs: env[`${prefix}_TIMEOUT_MS`],
    errorThresholdPercentage: env[`${prefix}_BREAKER_ERROR_PERCENT`],
    resetTimeoutMs: env[`${prefix}_BREAKER_RESET_MS`],
    volumeThreshold: env[`${prefix}_BREAKER_VOLUME`],
  };
}

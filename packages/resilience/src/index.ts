export { createBreaker, type Breaker, type BreakerOptions, type BreakerState } from './breaker.ts';
export { breakerEnv, breakerOptions } from './breaker-env.ts';
export { withTimeout } from './with-timeout.ts';

import { randomUUID } from 'node:crypto';
import { TEST_INTERNAL_SECRET } from '@supergraph/testing';
import { loadEnv, type Env } from '../../src/env.ts';

/** The router's environment in a test: a free port, the test secret, the given supergraph and JWKS. */
export function routerTestEnv(
  vars: { SUPERGRAPH_PATH: string; JWKS_URL: string } & Record<string, string>,
): Env {
  return loadEnv({
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    // Every test router counts rate limits apart: test files share one Redis and one client address.
    RATE_LIMIT_KEY_PREFIX: `test:rate-limit:${randomUUID()}`,
    ...vars,
  });
}

export interface RouterResult {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** POSTs an operation to the router as a client would. */
export async function post(
  url: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<RouterResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, ...((await response.json()) as Omit<RouterResult, 'status'>) };
}

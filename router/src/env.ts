import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { baseEnv, parseEnv } from '@supergraph/config';
import { breakerEnv } from '@supergraph/resilience';

const SUBGRAPH_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * `name=url,name=url`: where each subgraph really is when that differs from the routing URLs composed
 * into the supergraph (containers reach each other by service name, not localhost).
 */
const subgraphUrls = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const urls: Record<string, string> = {};
    for (const entry of (value ?? '').split(',').map((part) => part.trim())) {
      if (entry === '') continue;
      const separator = entry.indexOf('=');
      const name = entry.slice(0, separator).trim();
      const url = entry.slice(separator + 1).trim();
      if (
        separator < 1 ||
        !SUBGRAPH_NAME.test(name) ||
        !URL.canParse(url) ||
        !/^https?:$/.test(new URL(url).protocol)
      ) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not name=http(s)://host:port/path` });
        continue;
      }
      urls[name] = url;
    }
    return urls;
  });

export const envSchema = z.object({
  ...baseEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  SUPERGRAPH_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../supergraph.graphql', import.meta.url))),
  JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the users subgraph JWKS document' })
    .default('http://127.0.0.1:4001/.well-known/jwks.json'),
  JWT_ISSUER: z.string().min(1).default('supergraph-users'),
  JWT_AUDIENCE: z.string().min(1).default('supergraph'),
  SUBGRAPH_URLS: subgraphUrls,
  // Each subgraph's timeout and circuit breaker: SUBGRAPH_TIMEOUT_MS, SUBGRAPH_BREAKER_ERROR_PERCENT,
  // SUBGRAPH_BREAKER_RESET_MS and SUBGRAPH_BREAKER_VOLUME (calls in the window before it may open, so one
  // failure never opens it).
  ...breakerEnv('SUBGRAPH', {
    timeoutMs: 10_000,
    errorThresholdPercentage: 50,
    resetTimeoutMs: 10_000,
    volumeThreshold: 10,
  }),
});

export type Env = z.output<typeof envSchema>;

/** The process's own environment by default; tests pass theirs. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}

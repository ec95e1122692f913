import { createPrivateKey } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';
import { eventEnv } from '@supergraph/events';

const privateKeyPem = z
  .string({ error: 'set the PEM (PKCS#8) EC P-256 private key that signs tokens' })
  // Container and CI environments often carry a PEM on one line with literal \n.
  .transform((value) => value.replaceAll('\\n', '\n'))
  .refine((pem) => {
    try {
      const key = createPrivateKey(pem);
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    } catch {
      return false;
    }
  }, 'must be a PEM-encoded EC P-256 private key (ES256)');

export const envSchema = z.object({
  ...serviceEnv({ port: 4001, schema: 'users' }),
  // Users runs no worker; the relay reads the attempts, backoff, poll and queue prefix from here.
  ...eventEnv({ workerPort: 4101 }),
  JWT_PRIVATE_KEY: privateKeyPem,
  JWT_ISSUER: z.string().min(1).default('supergraph-users'),
  JWT_AUDIENCE: z.string().min(1).default('supergraph'),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  // Password hashes computed at once (hashing-queue.ts): one per core, at most two, so at least two of
  // libuv's four threads stay free for token signing, DNS and files. Raise it only with more cores and
  // UV_THREADPOOL_SIZE raised to match.
  PASSWORD_HASH_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.min(availableParallelism(), 2)),
  // How long a sign-up or sign-in waits for its turn before it is refused with SERVICE_UNAVAILABLE and
  // nothing written. Keep it well under the router's SUBGRAPH_TIMEOUT_MS (10 s): the subgraph then
  // answers before the router gives up, so a burst of sign-ups never counts as a timeout against the
  // circuit breaker every other query to this subgraph goes through.
  PASSWORD_HASH_MAX_WAIT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
});

export type Env = z.output<typeof envSchema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}

import { createPrivateKey } from 'node:crypto';
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
});

export type Env = z.output<typeof envSchema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}

// What `npm start` reads from its environment. Everything else in it (EVENT_QUEUE_PREFIX,
// OTEL_EXPORTER_OTLP_ENDPOINT, ...) passes through to every process, whose own env.ts checks it.
import { z } from 'zod';
import { baseEnv, parseEnv } from '@supergraph/config';

/** supergraph.yaml's ports run from 4001 to 4006 and the workers' from 4101 to 4106. */
const HIGHEST_PORT = 4106;

export const startEnvSchema = z.object({
  // Shifts every port: the router's 4000, the subgraphs' from supergraph.yaml, the workers' 100 above
  // their API's. A second copy of the shop (a test's) runs beside the developer's on other ports.
  PORT_OFFSET: z.coerce
    .number({ error: `must be a whole number from 0 to ${65535 - HIGHEST_PORT}` })
    .int(`must be a whole number from 0 to ${65535 - HIGHEST_PORT}`)
    .min(0, `must be a whole number from 0 to ${65535 - HIGHEST_PORT}`)
    .max(65535 - HIGHEST_PORT, `must be a whole number from 0 to ${65535 - HIGHEST_PORT}`)
    .default(0),
  // The router's port, when it should be other than 4000 + PORT_OFFSET.
  ROUTER_PORT: z.coerce
    .number({ error: 'must be a port number from 1 to 65535' })
    .int('must be a port number from 1 to 65535')
    .min(1, 'must be a port number from 1 to 65535')
    .max(65535, 'must be a port number from 1 to 65535')
    .optional(),
  // Read by dev-env.ts; checked here so that a bad one is reported as such, not as Postgres being down.
  DATABASE_NAME: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case Postgres identifier, e.g. supergraph_2')
    .optional(),
  DATABASE_ADMIN_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL of a superuser' })
    .optional(),
  LOG_LEVEL: baseEnv.LOG_LEVEL,
  REDIS_URL: baseEnv.REDIS_URL,
  // The router gets these with its heap bound added (router/src/node-options.ts).
  NODE_OPTIONS: z.string().optional(),
  // Where the processes keep Node's compile cache (default .local/compile-cache).
  NODE_COMPILE_CACHE: z.string().min(1).optional(),
});

export type StartEnv = z.output<typeof startEnvSchema>;

export function loadStartEnv(source: Record<string, string | undefined> = process.env): StartEnv {
  return parseEnv(startEnvSchema, source);
}

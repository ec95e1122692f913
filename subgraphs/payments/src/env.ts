import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';
import { eventEnv } from '@supergraph/events';
import { breakerEnv } from '@supergraph/resilience';

/** Compose passes `STRIPE_SECRET_KEY: ${STRIPE_SECRET_KEY:-}`: an empty value means "not set". */
const optionalSecret = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined))
  .pipe(
    z
      .string()
      .regex(
        /^(sk|rk)_(test|live)_\w+$/,
        'must be a Stripe secret or restricted key (sk_test_..., sk_live_...)',
      )
      .optional(),
  );

export const envSchema = z
  .object({
    ...serviceEnv({ port: 4005, schema: 'payments' }),
    /** `fake` declines above PAYMENT_DECLINE_ABOVE and authorizes the rest; `stripe` calls Stripe. */
    PAYMENT_PROVIDER: z.enum(['fake', 'stripe']).default('fake'),
    /** The fake provider's limit, in minor units of the payment's currency. */
    PAYMENT_DECLINE_ABOVE: z.coerce.number().int().min(0).default(100_000),
    STRIPE_SECRET_KEY: optionalSecret,
    /** The card Stripe charges: its test Visa by default, since checkout collects no card details yet. */
    STRIPE_PAYMENT_METHOD: z.string().min(1).default('pm_card_visa'),
    ...breakerEnv('PAYMENT_PROVIDER', { timeoutMs: 5000 }),
    // The worker process (src/worker-main.ts) serves /health, /ready and /metrics on the API port + 100.
    ...eventEnv({ workerPort: 4105 }),
  })
  .refine((env) => env.PAYMENT_PROVIDER !== 'stripe' || env.STRIPE_SECRET_KEY !== undefined, {
    path: ['STRIPE_SECRET_KEY'],
    message: 'set the Stripe secret key (sk_test_... or sk_live_...) when PAYMENT_PROVIDER is stripe',
    // Reported together with any other problem, not only once everything else is valid.
    when: (payload) => {
      const env = payload.value as { PAYMENT_PROVIDER?: unknown; STRIPE_SECRET_KEY?: unknown };
      return env.PAYMENT_PROVIDER === 'stripe' && typeof env.STRIPE_SECRET_KEY !== 'string';
    },
  });

export type Env = z.output<typeof envSchema>;

/** Reads the process's environment unless given another (tests pass their own). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}

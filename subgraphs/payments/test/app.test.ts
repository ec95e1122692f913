import { describe, expect, it } from '@jest/globals';
import { startTestSubgraph } from '@supergraph/testing';
import { startPaymentsSubgraph } from '../src/app.ts';
import { loadEnv } from '../src/env.ts';

describe('startPaymentsSubgraph', () => {
  it('starts with the Stripe provider configured, calling Stripe only when a payment is authorized', async () => {
    const subgraph = await startTestSubgraph('payments', (env, hooks) =>
      startPaymentsSubgraph(
        loadEnv({ ...env, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_51NeverUsed' }),
        hooks,
      ),
    );
    try {
      const ready = await fetch(new URL('/ready', subgraph.url));
      expect(ready.status).toBe(200);
      const result = await subgraph.run('{ payment(id: "00000000-0000-4000-8005-000000000001") { id } }', {
        as: { userId: '00000000-0000-4000-8000-000000000001', role: 'ADMIN' },
      });
      expect(result).toEqual({ status: 200, data: { payment: null } });
    } finally {
      await subgraph.stop();
    }
  });

  it('refuses to start with Stripe and no secret key', async () => {
    await expect(
      startTestSubgraph('payments', (env, hooks) =>
        startPaymentsSubgraph(loadEnv({ ...env, PAYMENT_PROVIDER: 'stripe' }), hooks),
      ),
    ).rejects.toThrow(
      'invalid configuration: STRIPE_SECRET_KEY is required: set the Stripe secret key (sk_test_... or sk_live_...) when PAYMENT_PROVIDER is stripe',
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@supergraph/config';
import { loadEnv } from './env.ts';

const required = {
  DATABASE_URL: 'postgres://payments:payments@127.0.0.1:5432/supergraph',
  INTERNAL_SECRET: 'a-shared-secret-of-at-least-32-characters',
};

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    loadEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('payments configuration', () => {
  it('defaults to the fake provider on port 4005 in schema payments, with a 5 s provider timeout', () => {
    const env = loadEnv(required);
    expect(env.STRIPE_SECRET_KEY).toBeUndefined();
    expect(env).toMatchObject({
      PORT: 4005,
      DATABASE_SCHEMA: 'payments',
      PAYMENT_PROVIDER: 'fake',
      PAYMENT_DECLINE_ABOVE: 100_000,
      STRIPE_PAYMENT_METHOD: 'pm_card_visa',
      PAYMENT_PROVIDER_TIMEOUT_MS: 5000,
      PAYMENT_PROVIDER_BREAKER_ERROR_PERCENT: 50,
      PAYMENT_PROVIDER_BREAKER_RESET_MS: 10_000,
      PAYMENT_PROVIDER_BREAKER_VOLUME: 5,
    });
  });

  it('reads the limit and the breaker settings', () => {
    expect(
      loadEnv({ ...required, PAYMENT_DECLINE_ABOVE: '2500', PAYMENT_PROVIDER_TIMEOUT_MS: '800' }),
    ).toMatchObject({ PAYMENT_DECLINE_ABOVE: 2500, PAYMENT_PROVIDER_TIMEOUT_MS: 800 });
    expect(problemsOf({ ...required, PAYMENT_DECLINE_ABOVE: '-1' })).toEqual([
      expect.stringMatching(/^PAYMENT_DECLINE_ABOVE: /),
    ]);
  });

  it('accepts stripe with a secret key', () => {
    expect(
      loadEnv({ ...required, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_51abc' }),
    ).toMatchObject({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_51abc' });
  });

  it('refuses stripe without a secret key (compose passes it empty) in one clear problem', () => {
    const problem =
      'STRIPE_SECRET_KEY is required: set the Stripe secret key (sk_test_... or sk_live_...) when PAYMENT_PROVIDER is stripe';
    expect(problemsOf({ ...required, PAYMENT_PROVIDER: 'stripe' })).toEqual([problem]);
    expect(problemsOf({ ...required, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: '' })).toEqual([problem]);
    // ...reported together with any other problem, so an operator fixes them in one pass.
    expect(problemsOf({ ...required, INTERNAL_SECRET: 'short', PAYMENT_PROVIDER: 'stripe' })).toEqual([
      'INTERNAL_SECRET: must be at least 32 characters',
      problem,
    ]);
  });

  it('refuses a key that is not a Stripe secret key, and an unknown provider', () => {
    expect(problemsOf({ ...required, PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'pk_test_123' })).toEqual(
      ['STRIPE_SECRET_KEY: must be a Stripe secret or restricted key (sk_test_..., sk_live_...)'],
    );
    expect(problemsOf({ ...required, PAYMENT_PROVIDER: 'paypal' })).toEqual([
      expect.stringMatching(/^PAYMENT_PROVIDER: /),
    ]);
  });

  it('needs no Stripe key for the fake provider, even when one is set empty', () => {
    expect(loadEnv({ ...required, STRIPE_SECRET_KEY: '' }).STRIPE_SECRET_KEY).toBeUndefined();
  });
});

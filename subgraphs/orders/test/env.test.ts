import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@supergraph/config';
import { loadEnv } from '../src/env.ts';

const required = {
  INTERNAL_SECRET: 'an-internal-secret-that-is-long-enough-0001',
  DATABASE_URL: 'postgres://orders:orders@127.0.0.1:5432/supergraph',
};

describe('the orders environment', () => {
  it('defaults to port 4004, the orders schema and the products subgraph on 4002 with a 2 s timeout', () => {
    expect(loadEnv(required)).toMatchObject({
      PORT: 4004,
      DATABASE_SCHEMA: 'orders',
      PRODUCTS_URL: 'http://127.0.0.1:4002/graphql',
      PRODUCTS_TIMEOUT_MS: 2000,
      PRODUCTS_BREAKER_ERROR_PERCENT: 50,
      PRODUCTS_BREAKER_RESET_MS: 10_000,
      PRODUCTS_BREAKER_VOLUME: 5,
    });
  });

  it('reports every bad variable at once', () => {
    let error: unknown;
    try {
      loadEnv({ ...required, PRODUCTS_URL: 'ftp://products', PRODUCTS_TIMEOUT_MS: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^PRODUCTS_URL: must be the products subgraph URL/),
      expect.stringMatching(/^PRODUCTS_TIMEOUT_MS: /),
    ]);
  });
});

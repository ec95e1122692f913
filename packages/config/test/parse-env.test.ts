import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { ConfigError, parseEnv, serviceEnv } from '../src/index.ts';

const schema = z.object(serviceEnv({ port: 4100, schema: 'things' }));

describe('parseEnv', () => {
  it('applies defaults and coerces numbers and flags', () => {
    const env = parseEnv(schema, {
      DATABASE_URL: 'postgres://things:things@127.0.0.1:5432/supergraph',
      INTERNAL_SECRET: 'x'.repeat(32),
      SEED_ON_START: 'true',
    });
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 4100,
      DATABASE_SCHEMA: 'things',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SEED_ON_START: true,
    });
  });

  it('reports every bad variable at once, each by name', () => {
    let error: unknown;
    try {
      parseEnv(schema, {
        PORT: 'eighty',
        DATABASE_URL: 'mysql://nope',
        REDIS_URL: 'http://x',
        NODE_ENV: 'staging',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'NODE_ENV', 'INTERNAL_SECRET']) {
      expect(problems).toContain(name);
    }
    expect(problems).toContain('INTERNAL_SECRET is required');
  });

  it('takes the OTLP endpoint as an http(s) URL, and an empty one as none (tracing off)', () => {
    const required = {
      DATABASE_URL: 'postgres://things:things@127.0.0.1:5432/supergraph',
      INTERNAL_SECRET: 'x'.repeat(32),
    };
    expect(
      parseEnv(schema, { ...required, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT,
    ).toBeUndefined();
    expect(
      parseEnv(schema, {
        ...required,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
        OTEL_SERVICE_NAME: 'things',
      }),
    ).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SERVICE_NAME: 'things' });
    expect(() => parseEnv(schema, { ...required, OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toThrow(
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be the http(s) base URL of an OTLP/HTTP collector, e.g. http://jaeger:4318',
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { generateSigningKeyPem } from '@supergraph/testing';
import { runProcess } from './support/run-process.ts';

const privateKey = generateSigningKeyPem();

const valid = {
  DATABASE_URL: 'postgres://users:users@127.0.0.1:5432/supergraph',
  INTERNAL_SECRET: 'x'.repeat(40),
  JWT_PRIVATE_KEY: privateKey,
  PORT: '0',
};

describe('a subgraph that cannot start', () => {
  it('lists every bad variable on one line and exits non-zero, without a stack trace', async () => {
    const { code, stderr } = await runProcess('subgraphs/users/src/main.ts', {
      DATABASE_URL: 'not a url',
      PORT: 'abc',
      JWT_PRIVATE_KEY: 'not a key',
    });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^users: cannot start: invalid configuration: /);
    for (const name of ['DATABASE_URL', 'PORT', 'JWT_PRIVATE_KEY', 'INTERNAL_SECRET'])
      expect(lines[0]).toContain(name);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says Postgres is unreachable and how to fix it', async () => {
    const { code, stderr } = await runProcess('subgraphs/users/src/main.ts', {
      ...valid,
      DATABASE_URL: 'postgres://users:users@127.0.0.1:1/supergraph',
    });
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(
      /^users: cannot start: Postgres is unreachable at users@127\.0\.0\.1:1\/supergraph; start Postgres/,
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('says Redis is unreachable and how to fix it', async () => {
    const { code, stderr } = await runProcess('subgraphs/users/src/main.ts', {
      ...valid,
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/Redis is unreachable at 127\.0\.0\.1:1; start Redis/);
  });
});

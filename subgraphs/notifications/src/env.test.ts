import { describe, it, expect } from '@jest/globals';
import { ConfigError } from '@supergraph/config';
import { loadEnv } from './env.ts';

const REQUIRED = {
  DATABASE_URL: 'postgres://notifications:notifications@127.0.0.1:5432/supergraph',
  INTERNAL_SECRET: 'an-internal-secret-of-32-characters-or-more',
};

function problemsOf(source: Record<string, string>): readonly string[] {
  try {
    loadEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the notifications environment', () => {
  it('defaults to port 4006 (its worker 4106), schema notifications and the log transport', () => {
    const env = loadEnv(REQUIRED);
    expect(env).toMatchObject({
      PORT: 4006,
      WORKER_PORT: 4106,
      DATABASE_SCHEMA: 'notifications',
      NOTIFICATION_TRANSPORT: 'log',
      SMTP_FROM: 'Supergraph Shop <no-reply@shop.example>',
    });
    expect(env.SMTP_URL).toBeUndefined();
  });

  it('takes the SMTP transport with an smtp:// or smtps:// URL and a From address', () => {
    expect(
      loadEnv({
        ...REQUIRED,
        NOTIFICATION_TRANSPORT: 'smtp',
        SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
        SMTP_FROM: 'orders@shop.example',
      }),
    ).toMatchObject({
      NOTIFICATION_TRANSPORT: 'smtp',
      SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
      SMTP_FROM: 'orders@shop.example',
    });
  });

  it('refuses the SMTP transport without SMTP_URL, in one clear line', () => {
    expect(problemsOf({ ...REQUIRED, NOTIFICATION_TRANSPORT: 'smtp' })).toEqual([
      'SMTP_URL is required: set an smtp:// or smtps:// URL when NOTIFICATION_TRANSPORT is smtp, e.g. smtp://mailpit:1025',
    ]);
    expect(problemsOf({ ...REQUIRED, NOTIFICATION_TRANSPORT: 'smtp', SMTP_URL: '' })).toHaveLength(1);
  });

  it('reports the missing SMTP_URL together with every other problem', () => {
    expect(problemsOf({ DATABASE_URL: REQUIRED.DATABASE_URL, NOTIFICATION_TRANSPORT: 'smtp' })).toEqual([
      'INTERNAL_SECRET is required: set the secret the router and subgraphs share (32 characters or more)',
      'SMTP_URL is required: set an smtp:// or smtps:// URL when NOTIFICATION_TRANSPORT is smtp, e.g. smtp://mailpit:1025',
    ]);
  });

  it.each([
    [{ NOTIFICATION_TRANSPORT: 'email' }, 'NOTIFICATION_TRANSPORT: must be log or smtp'],
    [
      { NOTIFICATION_TRANSPORT: 'smtp', SMTP_URL: 'http://mail.example.com' },
      'SMTP_URL: must be an smtp:// or smtps:// URL, e.g. smtp://mailpit:1025',
    ],
    [
      { SMTP_FROM: 'Supergraph Shop' },
      'SMTP_FROM: must be an address such as Supergraph Shop <no-reply@shop.example>',
    ],
  ])('refuses %j', (variables, problem) => {
    expect(problemsOf({ ...REQUIRED, ...variables })).toEqual([problem]);
  });

  it('ignores a blank SMTP_URL while the transport is the log', () => {
    expect(loadEnv({ ...REQUIRED, SMTP_URL: '' }).SMTP_URL).toBeUndefined();
  });
});

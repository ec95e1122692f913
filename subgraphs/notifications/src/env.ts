import { z } from 'zod';
import { parseEnv, serviceEnv } from '@supergraph/config';
import { eventEnv } from '@supergraph/events';

const FROM_ADDRESS = /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/** Compose files pass unset variables through as empty strings; an empty value means "not set". */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

export const envSchema = z
  .object({
    ...serviceEnv({ port: 4006, schema: 'notifications' }),
    ...eventEnv({ workerPort: 4106 }),
    /** `log` writes each message to the log (development); `smtp` hands it to SMTP_URL. */
    NOTIFICATION_TRANSPORT: z.enum(['log', 'smtp'], { error: 'must be log or smtp' }).default('log'),
    SMTP_URL: z.preprocess(
      unsetIfEmpty,
      z
        .url({
          protocol: /^smtps?$/,
          error: 'must be an smtp:// or smtps:// URL, e.g. smtp://mailpit:1025',
        })
        .optional(),
    ),
    /** The From of every message: an address, optionally with a display name. */
    SMTP_FROM: z
      .string()
      .trim()
      .regex(FROM_ADDRESS, 'must be an address such as Supergraph Shop <no-reply@shop.example>')
      .default('Supergraph Shop <no-reply@shop.example>'),
  })
  .refine((env) => env.NOTIFICATION_TRANSPORT !== 'smtp' || env.SMTP_URL !== undefined, {
    path: ['SMTP_URL'],
    message: 'set an smtp:// or smtps:// URL when NOTIFICATION_TRANSPORT is smtp, e.g. smtp://mailpit:1025',
    // Runs beside other variables' problems, so an operator sees every one in a single pass; it only
    // needs the two variables it relates to have parsed.
    when: ({ issues }) =>
      issues.every((issue) => !['NOTIFICATION_TRANSPORT', 'SMTP_URL'].includes(String(issue.path?.[0]))),
  });

export type Env = z.output<typeof envSchema>;

/** Reads the process's environment unless given another (tests pass their own). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(envSchema, source);
}

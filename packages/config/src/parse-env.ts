import type { z } from 'zod';

/** Every problem with the environment at once, so an operator fixes them in one pass. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Validates the environment against a zod object schema. Unknown variables are ignored; every failing
 * variable is reported together in one ConfigError rather than the first one alone.
 */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  source: Record<string, string | undefined>,
): z.output<T> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = source[name];
    return value === undefined || value === ''
      ? `${name} is required: ${issue.message}`
      : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

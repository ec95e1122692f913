import { ConfigError } from './parse-env.ts';
import { StartupError } from './startup-error.ts';

/**
 * Runs a process's composition root. A failure to start (bad config, a dependency unreachable) prints
 * one line that says what is wrong, not a stack trace, and the process exits non-zero. This is the one
 * place that ends the process: library code never calls process.exit.
 */
export async function runMain(name: string, main: () => Promise<unknown>): Promise<void> {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`${name}: cannot start: ${describeStartupError(error)}\n`);
    process.exit(1);
  }
}

export function describeStartupError(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof StartupError) return `${error.message}; ${error.hint}`;
  return error instanceof Error ? error.message : String(error);
}

import { runMain } from '@supergraph/config';
import type { Logger } from '@supergraph/logging';
import { startTelemetry, telemetryOptionsFromEnv, type TelemetryOptions } from '@supergraph/telemetry/sdk';
import { stopOnSignals } from './lifecycle.ts';

/** What a process's composition root returns: something that logs and stops. */
export interface Stoppable {
  logger: Logger;
  stop: () => Promise<void>;
}

/**
 * A process's main: starts OpenTelemetry, then the process, and stops both on SIGTERM/SIGINT. `start`
 * must import the application itself (`await import('./app.ts')`): an instrumentation patches a module
 * (http, pg, ioredis, graphql) only as it loads, and a static import in main.ts would load them before
 * telemetry starts. This module is the `@supergraph/server-kit/main` entry for that reason: it loads
 * none of them. `telemetry` adds what the process's own configuration says (the router: whether
 * to trust its clients' trace context) to the OpenTelemetry variables every process reads.
 */
export async function runInstrumentedMain(
  name: string,
  start: () => Promise<Stoppable>,
  telemetry: Pick<TelemetryOptions, 'trustIncomingTraceContext'> = {},
): Promise<void> {
  await runMain(name, async () => {
    const started = await startTelemetry({ ...telemetryOptionsFromEnv(name), ...telemetry });
    const running = await start();
    // Spans of the last requests and jobs leave once the process has stopped serving.
    stopOnSignals(running.logger, async () => {
      try {
        await running.stop();
      } finally {
        await started.shutdown();
      }
    });
  });
}

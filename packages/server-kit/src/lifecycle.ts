import type { Logger } from '@supergraph/logging';

/**
 * SIGTERM (Kubernetes, docker stop) and SIGINT (Ctrl-C) stop the process gracefully: `stop` drains HTTP
 * and closes each dependency in order. A second signal while stopping is ignored rather than cutting
 * the drain short.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

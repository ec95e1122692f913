import { pino, type Logger } from 'pino';
import { currentTraceIds } from '@supergraph/telemetry';

export type { Logger } from 'pino';

/**
 * JSON logs, one object a line, for a log shipper to parse. Secrets that may travel in headers never
 * reach the log. A line written inside a trace (a request, an event job) carries its `trace_id` and
 * `span_id`, which lead from the line to the trace and from a trace to every line it wrote.
 */
export function createLogger(options: {
  name: string;
  level: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      name: options.name,
      level: options.level,
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: currentTraceIds,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.password',
          'password',
          'token',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}

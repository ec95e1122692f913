import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs, one object a line, for a log shipper to parse. Secrets that may travel in headers never
 * reach the log.
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

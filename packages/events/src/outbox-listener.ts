import pg from 'pg';
import type { Logger } from '@supergraph/logging';
import { outboxChannel } from './outbox.ts';

const RECONNECT_MS = 1_000;

/**
 * Listens on a schema's outbox channel and calls `onNotify` for each NOTIFY (one per committed
 * transaction that recorded events). The session is lost when Postgres restarts: ended with an error,
 * or, on a clean shutdown, just ended. Either way a new one is opened a second later, and again until
 * one works; the relay's poll covers the gap.
 */
export function listenForOutbox(options: {
  databaseUrl: string;
  schema: string;
  logger: Logger;
  onNotify: () => void;
}): { stop: () => Promise<void> } {
  const { schema, logger } = options;
  const channel = outboxChannel(schema);
  let stopped = false;
  let current: pg.Client | null = null;

  function connect(): void {
    if (stopped) return;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    current = client;
    let lost = false;
    const reconnect = (error?: unknown) => {
      if (lost || stopped) return;
      lost = true;
      logger.warn({ err: error }, 'outbox relay lost its LISTEN connection; polling until it is back');
      void client.end().catch(() => {});
      setTimeout(connect, RECONNECT_MS).unref();
    };
    client.on('notification', (message) => {
      if (message.payload === schema) options.onNotify();
    });
    client.on('error', reconnect);
    client.on('end', () => reconnect());
    client
      .connect()
      .then(() => client.query(`listen "${channel}"`))
      .then(
        () => logger.info({ channel }, 'outbox relay listening'),
        (error: unknown) => reconnect(error),
      );
  }
  connect();

  return {
    stop: async () => {
      stopped = true;
      await current?.end().catch(() => {});
    },
  };
}

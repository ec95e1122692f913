import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, type Registry } from 'prom-client';
import { Queue } from 'bullmq';
import { openDatabase, postgresCheck, type Database, type DatabaseOptions } from '@supergraph/db';
import { createLogger, type Logger } from '@supergraph/logging';
import {
  connectRedis,
  createMetrics,
  instrumentedListener,
  redisCheck,
  sendJson,
  serveOperationalRoute,
} from '@supergraph/server-kit';
import { startEventConsumer, type EventConsumer, type EventHandlers } from './consumer.ts';
import type { EventEnv } from './env.ts';
import { producerConnection } from './queues.ts';
import { queueName, workerName, type Consumer } from './routing.ts';

export interface WorkerEnv extends EventEnv {
  HOST: string;
  LOG_LEVEL: string;
  REDIS_URL: string;
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
}

export interface EventWorkerOptions {
  consumer: Consumer;
  env: WorkerEnv;
  entities: DatabaseOptions['entities'];
  migrationsPath: string;
  /** Builds the domain's handlers on the worker's ORM (services, providers, transports). */
  handlers: (orm: Database, logger: Logger) => EventHandlers;
  /** Closes what the handlers opened (a breaker, an SMTP pool), after the worker has stopped. */
  closers?: Array<() => Promise<unknown>>;
  /**
   * Work the worker runs beside its consumer on the same ORM (a saga sweeper), started once the consumer
   * runs and stopped right after it.
   */
  background?: (
    orm: Database,
    tools: { logger: Logger; registry: Registry },
  ) => { stop: () => Promise<void> };
  logger?: Logger;
  onQuery?: (sql: string) => void;
}

export interface EventWorker {
  /** Where /health, /ready and /metrics answer. */
  url: string;
  consumer: EventConsumer;
  orm: Database;
  logger: Logger;
  stop: () => Promise<void>;
}

/**
 * A domain's worker process: its queue's consumer plus /health, /ready (Postgres and Redis) and
 * /metrics (queue depth by state, job durations, dead letters). Stopping finishes the jobs under way,
 * then closes HTTP, the ORM and Redis, in that order.
 */
export async function startEventWorker(options: EventWorkerOptions): Promise<EventWorker> {
  const { env, consumer } = options;
  const name = workerName(consumer);
  const logger = options.logger ?? createLogger({ name, level: env.LOG_LEVEL });
  const redis = await connectRedis(env.REDIS_URL);
  let orm: Database;
  try {
    orm = await openDatabase({
      clientUrl: env.DATABASE_URL,
      schema: env.DATABASE_SCHEMA,
      entities: options.entities,
      migrationsPath: options.migrationsPath,
      onQuery: options.onQuery,
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }

  const metrics = createMetrics(name);
  const queue = new Queue(queueName(consumer), {
    connection: producerConnection(env.REDIS_URL),
    prefix: env.EVENT_QUEUE_PREFIX,
  });
  queue.on('error', () => {});
  new Gauge({
    name: 'event_queue_jobs',
    help: "Jobs in the domain's queue by state (waiting, active, delayed, failed, completed)",
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
      for (const [state, count] of Object.entries(counts)) this.set({ queue: queue.name, state }, count);
    },
  });

  const events = startEventConsumer({
    consumer,
    orm,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.EVENT_QUEUE_PREFIX,
    handlers: options.handlers(orm, logger),
    logger,
    registry: metrics.registry,
    concurrency: env.EVENT_CONCURRENCY,
    lockDurationMs: env.EVENT_LOCK_MS,
  });

  const background = options.background?.(orm, { logger, registry: metrics.registry });

  let stopping = false;
  const routes = {
    readiness: { postgres: postgresCheck(orm), redis: redisCheck(redis) },
    metrics,
    isStopping: () => stopping,
  };
  const server = createServer(
    instrumentedListener({
      logger,
      metrics,
      routeLabel: (path) => (['/health', '/ready', '/metrics'].includes(path) ? path : 'other'),
      handle: async (_req, res, path) => {
        if (!(await serveOperationalRoute(path, res, routes))) sendJson(res, 404, { error: 'not found' });
      },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.WORKER_PORT, env.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${port}`;
  logger.info({ url, queue: queue.name }, `${name} ready`);

  let stopped: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopping = true;
    await events.stop();
    await background?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const close of [
      ...(options.closers ?? []),
      () => queue.close(),
      () => orm.close(),
      () => redis.quit(),
    ]) {
      await close().catch((error: unknown) =>
        logger.error({ err: error }, 'error while closing a dependency'),
      );
    }
    logger.info(`${name} stopped`);
  }
  return { url, consumer: events, orm, logger, stop: () => (stopped ??= stop()) };
}

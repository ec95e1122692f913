import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from '@supergraph/db';
import { redriveEvents } from '@supergraph/events';
import type { Logger } from '@supergraph/logging';
import { Counter, type Registry } from 'prom-client';
import { createOrderTransitions } from './order-transitions.ts';

export interface SagaSweeperOptions {
  orm: Database;
  logger: Logger;
  registry?: Registry;
  intervalMs: number;
  /** A PENDING order this old is re-driven (and again every as long while it stays PENDING). */
  redriveAfterMs: number;
  /** A PENDING order this old is cancelled and compensated. */
  cancelAfterMs: number;
  /** Orders handled per sweep at most, for each of the two; the next sweep takes the rest. */
  batchSize?: number;
}

export interface SweepResult {
  /** False when another replica's sweeper held the lock: it swept instead. */
  swept: boolean;
  redriven: string[];
  cancelled: string[];
}

export interface SagaSweeper {
  sweep: () => Promise<SweepResult>;
  stop: () => Promise<void>;
}

/** The cancellation reason of an order whose checkout never finished. */
export function timedOutReason(cancelAfterMs: number): string {
  const minutes = Math.round(cancelAfterMs / 60_000);
  const within = minutes >= 1 ? `${minutes} minute${minutes === 1 ? '' : 's'}` : `${cancelAfterMs} ms`;
  return `Checkout timed out: the order was not confirmed within ${within}. Any stock or payment held for it is released.`;
}

/**
 * Orders' guarantee that no order stays PENDING for ever (DESIGN section 5), whatever the queues lose.
 * An order PENDING past `redriveAfterMs` has its saga re-driven: its OrderPlaced is published again, and
 * each domain that handled it before answers from what it decided then (inventory publishes its
 * reservation's outcome again, payments its payment's), until the event reaches the domain where the
 * saga stopped, which goes on as it would have. An order PENDING past `cancelAfterMs` is cancelled with
 * a clear reason, and its OrderCancelled makes inventory release the stock and payments refund the
 * payment, whichever of them exists. One sweeper runs at a time across replicas (a transaction-scoped
 * advisory lock); each re-drive and each cancellation is logged and counted.
 */
export function startSagaSweeper(options: SagaSweeperOptions): SagaSweeper {
  const { orm, logger } = options;
  const schema = orm.config.get('schema') ?? 'public';
  const batchSize = options.batchSize ?? 100;
  const reason = timedOutReason(options.cancelAfterMs);
  const counted = new Counter({
    name: 'saga_stalled_orders_total',
    help: 'PENDING orders the saga sweeper found past a bound: re-driven, or cancelled as timed out',
    labelNames: ['action'] as const,
    registers: options.registry ? [options.registry] : [],
  });

  /** Ids of PENDING orders older than `cancelAfterMs`, oldest first. */
  async function timedOut(em: EntityManager): Promise<string[]> {
    const rows = await em.execute<Array<{ id: string }>>(
      `select id from "${schema}"."customer_order"
       where status = 'PENDING' and created_at < now() - ? * interval '1 millisecond'
       order by created_at limit ?`,
      [options.cancelAfterMs, batchSize],
    );
    return rows.map((row) => row.id);
  }

  /**
   * Ids of PENDING orders older than `redriveAfterMs` whose OrderPlaced (it has the order's id,
   * order.service.ts) was last published as long ago: one published since (by the previous re-drive, or
   * by a relay that was down) is given time to work.
   */
  async function stalled(em: EntityManager): Promise<string[]> {
    const rows = await em.execute<Array<{ id: string }>>(
      `select o.id from "${schema}"."customer_order" o
       join "${schema}"."outbox_event" e on e.id = o.id
       where o.status = 'PENDING' and o.created_at < now() - ? * interval '1 millisecond'
         and e.published_at < now() - ? * interval '1 millisecond'
       order by o.created_at limit ?`,
      [options.redriveAfterMs, options.redriveAfterMs, batchSize],
    );
    return rows.map((row) => row.id);
  }

  async function cancelTimedOut(em: EntityManager): Promise<string[]> {
    const cancelled: string[] = [];
    const transitions = createOrderTransitions(em);
    for (const orderId of await timedOut(em)) {
      // False when the saga (or the customer) settled it since the query: then there is nothing to do.
      if (!(await transitions.cancel(orderId, reason))) continue;
      cancelled.push(orderId);
      counted.inc({ action: 'cancelled' });
      logger.warn({ orderId, cancelAfterMs: options.cancelAfterMs }, 'saga timed out: order cancelled');
    }
    return cancelled;
  }

  async function redriveStalled(em: EntityManager): Promise<string[]> {
    const orderIds = await stalled(em);
    if (orderIds.length === 0) return [];
    const events = await redriveEvents(em, { ids: orderIds, minAgeMs: options.redriveAfterMs });
    for (const event of events) {
      counted.inc({ action: 'redriven' });
      logger.warn(
        { orderId: event.id, redrives: event.redrives, redriveAfterMs: options.redriveAfterMs },
        'saga stalled: order still PENDING, its OrderPlaced re-driven',
      );
    }
    return events.map((event) => event.id);
  }

  /** One batch of each, in one transaction under the sweeper's lock. */
  function sweepBatch(): Promise<SweepResult> {
    return orm.em.fork().transactional(async (tx) => {
      const em = tx as EntityManager;
      const [lock] = await em.execute<Array<{ locked: boolean }>>(
        'select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked',
        [`${schema}:saga-sweeper`],
      );
      if (!lock?.locked) return { swept: false, redriven: [], cancelled: [] };
      const cancelled = await cancelTimedOut(em);
      const redriven = await redriveStalled(em);
      return { swept: true, redriven, cancelled };
    });
  }

  /** Sweeps until a batch comes back short: after an outage, every stalled order is seen at once. */
  async function sweep(): Promise<SweepResult> {
    const result: SweepResult = { swept: false, redriven: [], cancelled: [] };
    for (;;) {
      const batch = await sweepBatch();
      if (!batch.swept) return result;
      result.swept = true;
      result.redriven.push(...batch.redriven);
      result.cancelled.push(...batch.cancelled);
      if (batch.redriven.length < batchSize && batch.cancelled.length < batchSize) return result;
    }
  }

  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    running ??= sweep()
      .catch((error: unknown) => logger.warn({ err: error }, 'saga sweep failed; will retry'))
      .finally(() => {
        running = null;
      });
  }, options.intervalMs);
  timer.unref();

  return {
    sweep,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

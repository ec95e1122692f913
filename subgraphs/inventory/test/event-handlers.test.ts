import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Queue } from 'bullmq';
import { listDeadLetters, parseEnvelope, replayDeadLetter, type EventWorker } from '@supergraph/events';
import { createTestSchema, testEnv, type TestSchema } from '@supergraph/testing';
import { loadEnv, type Env } from '../src/env.ts';
import { findReservedMismatches } from '../src/stock-audit.ts';
import { startInventoryWorker } from '../src/worker.ts';
import {
  deadLetterOf,
  deliver,
  envelope,
  finished,
  openQueue,
  orderPlaced,
  outboxOf,
  TOTAL,
  TRACEPARENT,
  USER_ID,
  waitFor,
} from './event-fixture.ts';
import { orderId, productIds, reservationOf, stockOf, stockUp } from './inventory-fixture.ts';

let schema: TestSchema;
let env: Env;
let worker: EventWorker;
let queue: Queue;

beforeAll(async () => {
  schema = await createTestSchema('inventory');
  // One job at a time, so a failing event visibly does not hold up the ones queued after it.
  env = loadEnv({ ...testEnv(schema), EVENT_ATTEMPTS: '2', EVENT_BACKOFF_MS: '50', EVENT_CONCURRENCY: '1' });
  worker = await startInventoryWorker(env);
  queue = openQueue('inventory', env.REDIS_URL, env.EVENT_QUEUE_PREFIX);
});

afterAll(async () => {
  await worker?.stop();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await schema?.drop();
});

const reservation = (order: string) =>
  waitFor(`the reservation of ${order}`, () => reservationOf(worker.orm, order));

describe('OrderPlaced', () => {
  it('reserves the items and announces InventoryReserved in the same transaction', async () => {
    const [a, b] = productIds(2) as [string, string];
    await stockUp(worker.orm, { [a]: 5, [b]: 3 });
    const order = orderId();
    const event = orderPlaced(order, [
      [a, 2],
      [b, 3],
    ]);

    await deliver(queue, event);

    expect(await reservation(order)).toEqual({
      status: 'RESERVED',
      shortages: null,
      lines: [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 3 },
      ],
    });
    expect(await stockOf(worker.orm, a)).toEqual({ available: 3, reserved: 2 });
    expect(await stockOf(worker.orm, b)).toEqual({ available: 0, reserved: 3 });
    const [reserved, ...others] = await outboxOf(worker.orm, order);
    expect(others).toEqual([]);
    expect(parseEnvelope(reserved)).toEqual(reserved);
    expect(reserved).toMatchObject({
      type: 'InventoryReserved',
      version: 1,
      traceparent: TRACEPARENT,
      data: { orderId: order, userId: USER_ID, total: TOTAL },
    });
    expect(Object.keys(reserved!.data).sort()).toEqual(['orderId', 'total', 'userId']);
    expect(await finished(queue, event.id)).toMatchObject({ state: 'completed', returnvalue: 'handled' });
  });

  it('rejects an order it cannot fill with InventoryRejected naming each short product, and takes nothing', async () => {
    // a is fine, b is short, c was never stocked.
    const [a, b, c] = productIds(3) as [string, string, string];
    await stockUp(worker.orm, { [a]: 10, [b]: 1 });
    const order = orderId();

    await deliver(
      queue,
      orderPlaced(order, [
        [a, 2],
        [b, 3],
        [c, 1],
      ]),
    );

    expect((await reservation(order)).status).toBe('REJECTED');
    expect(await stockOf(worker.orm, a)).toEqual({ available: 10, reserved: 0 });
    expect(await stockOf(worker.orm, b)).toEqual({ available: 1, reserved: 0 });
    expect(await stockOf(worker.orm, c)).toBeNull();
    const events = await outboxOf(worker.orm, order);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'InventoryRejected',
      traceparent: TRACEPARENT,
      data: {
        orderId: order,
        userId: USER_ID,
        reason: `not enough stock: product ${b}: 3 requested, 1 available; product ${c}: 1 requested, 0 available`,
        shortages: [
          { productId: b, requested: 3, available: 1 },
          { productId: c, requested: 1, available: 0 },
        ],
      },
    });
    expect(await findReservedMismatches(worker.orm.em.fork())).toEqual([]);
  });

  it('has one effect and one follow-up event however often the same event arrives', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(worker.orm, { [a]: 10 });
    const order = orderId();
    const event = orderPlaced(order, [[a, 4]]);

    // The same job id twice: BullMQ keeps one job.
    await deliver(queue, event);
    await deliver(queue, event);
    expect(await finished(queue, event.id)).toMatchObject({ state: 'completed', returnvalue: 'handled' });

    // The same event under a new job id (a relay that published twice, a replay).
    await deliver(queue, event, `${event.id}-again`);
    expect(await finished(queue, `${event.id}-again`)).toMatchObject({
      state: 'completed',
      returnvalue: 'duplicate',
    });

    // The same job id again after the first job was removed from Redis.
    await (await queue.getJob(event.id))!.remove();
    await deliver(queue, event);
    expect(await finished(queue, event.id)).toMatchObject({ state: 'completed', returnvalue: 'duplicate' });

    expect(await stockOf(worker.orm, a)).toEqual({ available: 6, reserved: 4 });
    expect((await reservationOf(worker.orm, order))!.status).toBe('RESERVED');
    expect((await outboxOf(worker.orm, order)).map((e) => e.type)).toEqual(['InventoryReserved']);
  });

  it('announces nothing for a second, different OrderPlaced of an order already decided', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(worker.orm, { [a]: 10 });
    const order = orderId();
    await deliver(queue, orderPlaced(order, [[a, 1]]));
    await reservation(order);

    const second = orderPlaced(order, [[a, 1]]);
    await deliver(queue, second);
    expect(await finished(queue, second.id)).toMatchObject({ state: 'completed', returnvalue: 'handled' });

    expect(await stockOf(worker.orm, a)).toEqual({ available: 9, reserved: 1 });
    expect((await outboxOf(worker.orm, order)).map((e) => e.type)).toEqual(['InventoryReserved']);
  });
});

describe('releasing', () => {
  async function reserved(quantity: number): Promise<{ product: string; order: string }> {
    const [product] = productIds(1) as [string];
    await stockUp(worker.orm, { [product]: 10 });
    const order = orderId();
    await deliver(queue, orderPlaced(order, [[product, quantity]]));
    expect((await reservation(order)).status).toBe('RESERVED');
    return { product, order };
  }

  const declined = (order: string) =>
    envelope('PaymentDeclined', {
      orderId: order,
      userId: USER_ID,
      paymentId: '00000000-0000-4000-8000-0000000000bb',
      reason: 'card declined',
    });
  const cancelled = (order: string) =>
    envelope('OrderCancelled', { orderId: order, userId: USER_ID, total: TOTAL, reason: 'changed my mind' });

  it('PaymentDeclined gives the reserved units back and announces nothing', async () => {
    const { product, order } = await reserved(4);

    const event = declined(order);
    await deliver(queue, event);
    await waitFor('the release', async () => (await reservationOf(worker.orm, order))?.status === 'RELEASED');

    expect(await stockOf(worker.orm, product)).toEqual({ available: 10, reserved: 0 });
    expect((await outboxOf(worker.orm, order)).map((e) => e.type)).toEqual(['InventoryReserved']);
    expect(await finished(queue, event.id)).toMatchObject({ state: 'completed', returnvalue: 'handled' });
  });

  it('OrderCancelled gives the reserved units back once, whatever else released them', async () => {
    const { product, order } = await reserved(3);

    const event = cancelled(order);
    await deliver(queue, event);
    await waitFor('the release', async () => (await reservationOf(worker.orm, order))?.status === 'RELEASED');
    expect(await stockOf(worker.orm, product)).toEqual({ available: 10, reserved: 0 });

    // The payment was declined too, and the cancellation arrives again under a new job id.
    const also = declined(order);
    await deliver(queue, also);
    await deliver(queue, event, `${event.id}-again`);
    expect(await finished(queue, also.id)).toMatchObject({ state: 'completed' });
    expect(await finished(queue, `${event.id}-again`)).toMatchObject({ returnvalue: 'duplicate' });

    expect(await stockOf(worker.orm, product)).toEqual({ available: 10, reserved: 0 });
    expect(await findReservedMismatches(worker.orm.em.fork())).toEqual([]);
  });

  it('OrderCancelled before its OrderPlaced arrives leaves the late reservation holding nothing', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(worker.orm, { [a]: 5 });
    const order = orderId();

    await deliver(queue, cancelled(order));
    expect((await reservation(order)).status).toBe('RELEASED');
    const late = orderPlaced(order, [[a, 2]]);
    await deliver(queue, late);
    expect(await finished(queue, late.id)).toMatchObject({ state: 'completed', returnvalue: 'handled' });

    expect(await stockOf(worker.orm, a)).toEqual({ available: 5, reserved: 0 });
    expect(await reservationOf(worker.orm, order)).toEqual({
      status: 'RELEASED',
      shortages: null,
      lines: [],
    });
    expect(await outboxOf(worker.orm, order)).toEqual([]);
  });

  it('OrderCancelled of a rejected order changes nothing', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(worker.orm, { [a]: 1 });
    const order = orderId();
    await deliver(queue, orderPlaced(order, [[a, 2]]));
    expect((await reservation(order)).status).toBe('REJECTED');

    const event = cancelled(order);
    await deliver(queue, event);
    expect(await finished(queue, event.id)).toMatchObject({ state: 'completed', returnvalue: 'handled' });

    expect((await reservationOf(worker.orm, order))!.status).toBe('REJECTED');
    expect(await stockOf(worker.orm, a)).toEqual({ available: 1, reserved: 0 });
    expect((await outboxOf(worker.orm, order)).map((e) => e.type)).toEqual(['InventoryRejected']);
  });
});

describe('failures', () => {
  it('puts a poison event in dead_letter after its attempts while the events behind it are handled', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(worker.orm, { [a]: 5 });
    const poisoned = orderId();
    const poison = envelope('OrderPlaced', {
      orderId: poisoned,
      userId: USER_ID,
      items: [],
      total: TOTAL,
    });
    const order = orderId();

    await deliver(queue, poison);
    await deliver(queue, orderPlaced(order, [[a, 1]]));

    expect((await reservation(order)).status).toBe('RESERVED');
    const letter = await waitFor('the dead letter', () => deadLetterOf(worker.orm, poison.id));
    expect(letter).toMatchObject({ type: 'OrderPlaced', attempts: 2, replayedAt: null });
    expect(letter.envelope).toEqual(poison);
    expect(letter.error).toMatch(/^InvalidEventError: OrderPlaced is invalid: items: /);
    expect(await finished(queue, poison.id)).toMatchObject({ state: 'failed', attemptsMade: 2 });
    expect((await listDeadLetters(worker.orm.em.fork())).map((dead) => dead.eventId)).toContain(poison.id);
    expect(await reservationOf(worker.orm, poisoned)).toBeNull();
    expect(await outboxOf(worker.orm, poisoned)).toEqual([]);
  });

  it('rolls the reservation back when its event cannot be written, and replays the dead letter once the cause is gone', async () => {
    const [a] = productIds(1) as [string];
    await stockUp(worker.orm, { [a]: 5 });
    const order = orderId();
    const event = orderPlaced(order, [[a, 2]]);
    // A fault the handler cannot get past until an operator steps in: the outbox refuses this order's
    // event, which is written at commit, after the stock was taken.
    const table = `"${schema.name}"."outbox_event"`;
    await worker.orm.em
      .fork()
      .execute(
        `alter table ${table} add constraint refuse_one_order check (envelope->'data'->>'orderId' <> '${order}')`,
      );

    await deliver(queue, event);
    const letter = await waitFor('the dead letter', () => deadLetterOf(worker.orm, event.id));
    expect(letter).toMatchObject({ attempts: 2, replayedAt: null });
    expect(letter.error).toMatch(/refuse_one_order/);
    expect(await stockOf(worker.orm, a)).toEqual({ available: 5, reserved: 0 });
    expect(await reservationOf(worker.orm, order)).toBeNull();
    expect(await outboxOf(worker.orm, order)).toEqual([]);

    await worker.orm.em.fork().execute(`alter table ${table} drop constraint refuse_one_order`);
    const options = { attempts: 2, backoffMs: 50, prefix: env.EVENT_QUEUE_PREFIX };
    expect(await replayDeadLetter(worker.orm.em.fork(), 'inventory', env.REDIS_URL, event.id, options)).toBe(
      true,
    );
    expect((await reservation(order)).status).toBe('RESERVED');
    expect((await deadLetterOf(worker.orm, event.id))!.replayedAt).toBeInstanceOf(Date);

    // Replaying again delivers it once more; the consumer knows it.
    expect(await replayDeadLetter(worker.orm.em.fork(), 'inventory', env.REDIS_URL, event.id, options)).toBe(
      true,
    );
    const replays = await waitFor('both replays to complete', async () => {
      const jobs = (await queue.getCompleted()).filter((job) => job.id?.startsWith(`${event.id}-replay-`));
      return jobs.length === 2 && jobs;
    });
    expect(replays.map((job) => job.returnvalue as unknown).sort()).toEqual(['duplicate', 'handled']);
    expect(await stockOf(worker.orm, a)).toEqual({ available: 3, reserved: 2 });
    expect((await outboxOf(worker.orm, order)).map((e) => e.type)).toEqual(['InventoryReserved']);
    expect(await replayDeadLetter(worker.orm.em.fork(), 'inventory', env.REDIS_URL, orderId(), options)).toBe(
      false,
    );
  });
});

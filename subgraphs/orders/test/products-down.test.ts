import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { OutboxEvent } from '@supergraph/events';
import type { TestSubgraph } from '@supergraph/testing';
import { Order } from '../src/order.entity.ts';
import {
  CUSTOMER,
  item,
  openOrdersDatabase,
  PLACE_ORDER,
  SEED_PRODUCT_IDS,
  startOrders,
  startProducts,
  type OrderView,
} from './orders-fixture.ts';

// What a customer sees when products cannot price an order: SERVICE_UNAVAILABLE at once, nothing
// written, and once the breaker has opened, no request to products at all.

const started: Array<{ stop: () => Promise<void> }> = [];

afterEach(async () => {
  while (started.length > 0) await started.pop()!.stop();
});

afterAll(async () => {
  while (started.length > 0) await started.pop()!.stop();
});

async function ordersPricingAt(url: string, env: Record<string, string> = {}) {
  const orders = await startOrders({ env: { PRODUCTS_URL: url, ...env } });
  const db = await openOrdersDatabase(orders);
  started.push(orders, { stop: () => db.close() });
  return { orders, db };
}

/** An HTTP server that counts requests and answers each with `respond` (or never, if it returns false). */
async function fakeProducts(respond: (res: ServerResponse) => boolean) {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    req.resume();
    respond(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  started.push({
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${port}/graphql`, requests: () => requests };
}

/** A port nothing listens on: bound, then released. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

function place(orders: TestSubgraph, idempotencyKey?: string) {
  return orders.run<{ placeOrder: OrderView }>(PLACE_ORDER, {
    variables: { input: { items: [item(SEED_PRODUCT_IDS.stonewareMug, 2)], idempotencyKey } },
    as: CUSTOMER,
  });
}

const UNAVAILABLE = 'products is unavailable right now; nothing was changed, try again shortly';
const TOO_SLOW = 'products did not answer in time; nothing was changed, try again shortly';

/** Refused with SERVICE_UNAVAILABLE, and neither an order nor an OrderPlaced event written. */
async function expectUnavailable(orders: TestSubgraph, db: Database, message: string) {
  const written = async () => [await db.em.fork().count(Order), await db.em.fork().count(OutboxEvent)];
  const before = await written();
  const result = await place(orders);
  expect(result.data).toBeNull();
  expect(result.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', dependency: 'products' });
  expect(result.errors?.[0]?.message).toBe(message);
  expect(await written()).toEqual(before);
}

describe('placeOrder while products is down', () => {
  it('fails with SERVICE_UNAVAILABLE and writes nothing once the products subgraph stops', async () => {
    const products = await startProducts();
    let stopped: Promise<void> | undefined;
    const stopProducts = () => (stopped ??= products.stop());
    started.push({ stop: stopProducts });
    const { orders, db } = await ordersPricingAt(products.url);
    const placed = await place(orders, 'before-the-outage');
    expect(placed.errors).toBeUndefined();
    await stopProducts();

    await expectUnavailable(orders, db, UNAVAILABLE);
    expect(await db.em.fork().count(Order)).toBe(1);
    expect(await db.em.fork().count(OutboxEvent)).toBe(1);
    // A retry of an order placed before the outage needs no price: it still answers.
    const retry = await place(orders, 'before-the-outage');
    expect(retry.data!.placeOrder.id).toBe(placed.data!.placeOrder.id);
  });

  it('fails with SERVICE_UNAVAILABLE when nothing listens at PRODUCTS_URL', async () => {
    const { orders, db } = await ordersPricingAt(await closedPortUrl());
    await expectUnavailable(orders, db, UNAVAILABLE);
  });

  it('gives up on a products subgraph that does not answer after PRODUCTS_TIMEOUT_MS', async () => {
    const hanging = await fakeProducts(() => false);
    const { orders, db } = await ordersPricingAt(hanging.url, { PRODUCTS_TIMEOUT_MS: '300' });
    await expectUnavailable(orders, db, TOO_SLOW);
    expect(hanging.requests()).toBe(1);
  });

  it.each([
    ['a non-200 answer', (res: ServerResponse) => res.writeHead(502).end('{}')],
    [
      'GraphQL errors',
      (res: ServerResponse) =>
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: null, errors: [{ message: 'boom' }] })),
    ],
  ])('counts %s as a failure and, once the breaker opens, stops calling products', async (_, answer) => {
    const failing = await fakeProducts((res) => {
      answer(res);
      return true;
    });
    const { orders, db } = await ordersPricingAt(failing.url, {
      PRODUCTS_BREAKER_VOLUME: '3',
      PRODUCTS_BREAKER_RESET_MS: '60000',
    });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const result = await place(orders);
      expect(result.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect(failing.requests()).toBe(3);

    await expectUnavailable(orders, db, UNAVAILABLE);
    await expectUnavailable(orders, db, UNAVAILABLE);
    expect(failing.requests()).toBe(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@supergraph/testing';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { startShop, type Shop } from './support/shop.ts';

// What Prometheus scrapes from each kind of process (DESIGN section 7): the router, a subgraph API that
// runs an outbox relay (orders), and an event worker (orders'). Traffic first, through the router as
// a client sends it: an order too big for the stock, which inventory's worker rejects and orders'
// worker cancels, and an operation refused for want of a token.

let shop: Shop;
let customer: { id: string; token: string };

beforeAll(async () => {
  shop = await startShop({ workers: ['inventory', 'orders'] });
  customer = await shop.register('metrics-shopper@example.com');
  const stock = await shop.client<{ product: { stock: number } }>(
    'query ($id: ID!) { product(id: $id) { stock } }',
    { variables: { id: SEED_PRODUCT_IDS.monstera } },
  );
  const placed = await shop.client<{ placeOrder: { id: string } }>(
    'mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
    {
      variables: {
        input: { items: [{ productId: SEED_PRODUCT_IDS.monstera, quantity: stock.data!.product.stock + 1 }] },
      },
      token: customer.token,
    },
  );
  expect(placed.errors).toBeUndefined();
  await eventually(async () => {
    const order = await shop.client<{ order: { status: string } }>(
      'query ($id: ID!) { order(id: $id) { status } }',
      { variables: { id: placed.data!.placeOrder.id }, token: customer.token },
    );
    return order.data?.order.status === 'CANCELLED' ? true : undefined;
  }, 20_000);
  await shop.client('query AnonymousOrder { order(id: "00000000-0000-4000-8000-0000000000aa") { id } }');
}, 90_000);

afterAll(async () => {
  await shop?.stop();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus' text format, sample lines only. */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
          m[1],
          m[2],
        ]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(base: string) {
  const response = await fetch(new URL('/metrics', base));
  expect(response.status).toBe(200);
  const text = await response.text();
  const declared = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
  const samples = parseSamples(text);
  return {
    declared,
    /** The value of the one sample of `name` carrying these labels (among others). */
    value: (name: string, labels: Record<string, string>) => {
      const found = samples.filter(
        (sample) =>
          sample.name === name &&
          Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
      );
      return found.length === 1
        ? found[0]!.value
        : `${found.length} samples of ${name} ${JSON.stringify(labels)}`;
    },
  };
}

type Metrics = Awaited<ReturnType<typeof scrape>>;

/**
 * Scrapes until `ready` holds, then as it is: a worker marks its job completed, and a relay publishes
 * the event a worker recorded, a moment after the change they follow is visible through the API.
 */
function scrapeWhen(base: string, ready: (metrics: Metrics) => boolean): Promise<Metrics> {
  return eventually(async () => {
    const metrics = await scrape(base);
    return ready(metrics) ? metrics : undefined;
  }).catch(() => scrape(base));
}

const HTTP_AND_GRAPHQL = [
  'http_request_duration_seconds',
  'graphql_operation_duration_seconds',
  'graphql_errors_total',
];

describe('/metrics of every kind of process', () => {
  it('the router: requests, operations and errors by name and code, subgraph latency and breakers, rate limits', async () => {
    const metrics = await scrape(shop.router.url);
    expect(metrics.declared).toEqual(
      expect.arrayContaining([
        ...HTTP_AND_GRAPHQL,
        'subgraph_fetch_duration_seconds',
        'subgraph_breaker_state',
        'rate_limit_rejections_total',
      ]),
    );
    expect(
      metrics.value('graphql_errors_total', { operation: 'AnonymousOrder', code: 'UNAUTHENTICATED' }),
    ).toBe(1);
    expect(
      metrics.value('graphql_operation_duration_seconds_count', {
        operation: 'PlaceOrder',
        type: 'mutation',
        outcome: 'success',
      }),
    ).toBe(1);
    expect(
      metrics.value('http_request_duration_seconds_count', {
        route: '/graphql',
        method: 'POST',
        status: '200',
      }),
    ).toBeGreaterThan(1);
    expect(
      metrics.value('subgraph_fetch_duration_seconds_count', { subgraph: 'orders', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(metrics.value('subgraph_breaker_state', { subgraph: 'orders' })).toBe(0);
  });

  it("a subgraph API with an outbox relay: its operations and errors, the outbox's backlog and age", async () => {
    const metrics = await scrapeWhen(
      shop.subgraphs.orders.url,
      (m) => m.value('outbox_publish_delay_seconds_count', {}) === 2,
    );
    expect(metrics.declared).toEqual(
      expect.arrayContaining([
        ...HTTP_AND_GRAPHQL,
        'outbox_backlog',
        'outbox_oldest_unpublished_age_seconds',
        'outbox_publish_delay_seconds',
      ]),
    );
    // The router names each subgraph operation after the client's, so the client's name leads here.
    expect(
      metrics.value('graphql_errors_total', {
        operation: 'AnonymousOrder__orders__0',
        code: 'UNAUTHENTICATED',
      }),
    ).toBe(1);
    expect(metrics.value('outbox_backlog', {})).toBe(0);
    expect(metrics.value('outbox_oldest_unpublished_age_seconds', {})).toBe(0);
    // OrderPlaced, and the OrderCancelled orders' worker recorded when inventory rejected the order.
    expect(metrics.value('outbox_publish_delay_seconds_count', {})).toBe(2);
  });

  it("an event worker: its queue's jobs by state (failed included), job durations, dead letters", async () => {
    const worker = shop.workers.find((candidate) => candidate.consumer.worker.name === 'events-orders')!;
    const metrics = await scrapeWhen(
      worker.url,
      (m) => m.value('event_queue_jobs', { queue: 'events-orders', state: 'completed' }) === 1,
    );
    expect(metrics.declared).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds',
        'event_queue_jobs',
        'event_job_duration_seconds',
        'event_dead_letters_total',
      ]),
    );
    const queue = { queue: 'events-orders' };
    expect(metrics.value('event_queue_jobs', { ...queue, state: 'completed' })).toBe(1);
    expect(metrics.value('event_queue_jobs', { ...queue, state: 'failed' })).toBe(0);
    expect(metrics.value('event_queue_jobs', { ...queue, state: 'waiting' })).toBe(0);
    expect(
      metrics.value('event_job_duration_seconds_count', {
        ...queue,
        type: 'InventoryRejected',
        outcome: 'handled',
      }),
    ).toBe(1);
  });
});

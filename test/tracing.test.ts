import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { activeTraceparent, SERVICE_ATTRIBUTE, SpanKind, withSpan } from '@supergraph/telemetry';
import { startTelemetry, type Telemetry } from '@supergraph/telemetry/sdk';
import { eventually } from '@supergraph/testing';
import { SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { startShop, type Shop } from './support/shop.ts';

// One placed order followed through every process of the shop: the router, orders (and its price
// lookup at products), each outbox relay, each domain's worker, and the notification leaving. They
// all run in this jest process under one in-memory exporter. Jest's module loader cannot be
// auto-instrumented, so what is asserted here is the propagation our own code does: traceparent
// headers from the router and between subgraphs, and trace context inside events and queue jobs.

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;
let shop: Shop;
let customer: { id: string; token: string };

beforeAll(async () => {
  telemetry = await startTelemetry({
    serviceName: 'shop',
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    instrument: false,
  });
  // The storefront is a traced service of ours, so the router is told to continue its traceparent.
  shop = await startShop({ workers: true, routerEnv: { TRUST_CLIENT_TRACE_CONTEXT: 'true' } });
  customer = await shop.register('traced-shopper@example.com');
}, 90_000);

afterAll(async () => {
  await shop?.stop();
  await telemetry?.shutdown();
});

const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`;

/** A span as an operator reads it in a trace view: which process, what kind, what it did. */
function describeSpan(span: ReadableSpan): string {
  const service = String(span.attributes[SERVICE_ATTRIBUTE] ?? '-');
  // A server span is named after the operation it served; which process served it is what matters.
  return span.kind === SpanKind.SERVER
    ? `${service} SERVER`
    : `${service} ${SpanKind[span.kind]} ${span.name}`;
}

function spansOf(traceId: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
}

/** Spans whose parent is not in the trace: a break in propagation. */
function orphans(spans: ReadableSpan[]): string[] {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  return spans
    .filter((span) => span.parentSpanContext && !ids.has(span.parentSpanContext.spanId))
    .map(describeSpan);
}

describe('tracing the checkout saga', () => {
  it('gives one placed order one connected trace, from the router to the notification sent', async () => {
    // The storefront traces its checkout and sends its traceparent, as a traced client does.
    const { traceId, orderId } = await withSpan('storefront', 'checkout', {}, async (span) => {
      const result = await shop.client<{ placeOrder: { id: string; status: string } }>(PLACE_ORDER, {
        variables: { input: { items: [{ productId: SEED_PRODUCT_IDS.frenchPress, quantity: 1 }] } },
        token: customer.token,
        headers: { traceparent: activeTraceparent()! },
      });
      expect(result.errors).toBeUndefined();
      return { traceId: span.spanContext().traceId, orderId: result.data!.placeOrder.id };
    });

    await eventually(async () => {
      const result = await shop.client<{ order: { status: string } }>(
        'query ($id: ID!) { order(id: $id) { status } }',
        { variables: { id: orderId }, token: customer.token },
      );
      return result.data?.order.status === 'CONFIRMED' ? true : undefined;
    }, 20_000);
    await eventually(async () => {
      const result = await shop.client<{ me: { notifications: Array<{ kind: string }> } }>(
        '{ me { notifications(first: 10) { kind } } }',
        { token: customer.token },
      );
      return result.data?.me.notifications.some((n) => n.kind === 'ORDER_CONFIRMED') ? true : undefined;
    }, 20_000);

    // The last span ends just after the notification is committed: wait until the trace is whole.
    const spans = await eventually(async () => {
      const found = spansOf(traceId);
      const sent = found.some((span) => span.name === 'send notification');
      return sent && orphans(found).length === 0 ? found : undefined;
    }, 20_000).catch(() => spansOf(traceId));

    expect(orphans(spans)).toEqual([]);
    expect(spans.filter((span) => !span.parentSpanContext).map((span) => span.name)).toEqual(['checkout']);
    expect(spans.map(describeSpan)).toEqual(
      expect.arrayContaining([
        'router SERVER',
        'router CLIENT subgraph orders',
        'orders SERVER',
        // orders reads the prices at products before it writes the order
        'products SERVER',
        'orders PRODUCER publish OrderPlaced',
        'inventory-worker CONSUMER process OrderPlaced',
        'inventory PRODUCER publish InventoryReserved',
        'payments-worker CONSUMER process InventoryReserved',
        'payments PRODUCER publish PaymentAuthorized',
        'orders-worker CONSUMER process PaymentAuthorized',
        'orders PRODUCER publish OrderConfirmed',
        'notifications-worker CONSUMER process OrderConfirmed',
      ]),
    );
    const send = spans.find((span) => span.name === 'send notification');
    const sender = spans.find((span) => span.spanContext().spanId === send?.parentSpanContext?.spanId);
    expect(sender && describeSpan(sender)).toBe('notifications-worker CONSUMER process OrderConfirmed');
  });
});

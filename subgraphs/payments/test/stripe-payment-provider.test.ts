import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DomainError } from '@supergraph/errors';
import { createBreaker } from '@supergraph/resilience';
import { guardPaymentProvider } from '../src/guarded-payment-provider.ts';
import type { AuthorizationRequest, PaymentProvider, RefundRequest } from '../src/payment-provider.ts';
import { createStripePaymentProvider } from '../src/stripe-payment-provider.ts';

// A local HTTP server stands in for api.stripe.com: the official SDK talks to it as it would to Stripe,
// so these tests see the exact request Stripe would get and feed back Stripe's documented answers.
// Nothing here reaches the real Stripe.

interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: Record<string, string>;
}

type Reply = (res: ServerResponse, request: SeenRequest) => void;

let server: Server;
let port: number;
let seen: SeenRequest[];
let reply: Reply;
let closedEarly: number;

const SECRET_KEY = 'sk_test_51LocalImitationKey';
const ORDER = '00000000-0000-4000-8004-0000000000a1';
const request: AuthorizationRequest = { orderId: ORDER, amount: { amount: 4170, currency: 'EUR' } };

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_local' });
  res.end(JSON.stringify(body));
}

const intent = (status: string) => ({
  id: 'pi_3LocalIntent',
  object: 'payment_intent',
  amount: 4170,
  currency: 'eur',
  capture_method: 'manual',
  status,
});

const cardError = (code: string, message: string, declineCode?: string) => ({
  error: {
    type: 'card_error',
    code,
    ...(declineCode ? { decline_code: declineCode } : {}),
    message,
    payment_intent: { ...intent('requires_payment_method'), id: 'pi_3Declined' },
  },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const seenRequest = {
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        form: Object.fromEntries(new URLSearchParams(body)),
      };
      seen.push(seenRequest);
      res.on('close', () => {
        if (!res.writableFinished) closedEarly += 1;
      });
      reply(res, seenRequest);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  closedEarly = 0;
  reply = (res) => json(res, 200, intent('requires_capture'));
});

function stripeProvider(timeoutMs = 10_000): PaymentProvider {
  return createStripePaymentProvider({
    secretKey: SECRET_KEY,
    paymentMethod: 'pm_card_visa',
    timeoutMs,
    api: { host: '127.0.0.1', port, protocol: 'http' },
  });
}

const live = () => new AbortController().signal;

describe('the Stripe payment provider', () => {
  it('asks Stripe for a manually captured PaymentIntent, confirmed at once, keyed by the order', async () => {
    await stripeProvider().authorize(request, live());
    expect(seen).toHaveLength(1);
    const [sent] = seen;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/payment_intents' });
    expect(sent!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(sent!.headers['idempotency-key']).toBe(`authorize-${ORDER}`);
    expect(sent!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent!.headers['stripe-version']).toEqual(expect.any(String));
    expect(sent!.form).toEqual({
      amount: '4170',
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      capture_method: 'manual',
      'automatic_payment_methods[enabled]': 'true',
      'automatic_payment_methods[allow_redirects]': 'never',
      'metadata[order_id]': ORDER,
    });
  });

  it('sends the same idempotency key when the same order is authorized again, so the card is held once', async () => {
    const provider = stripeProvider();
    await provider.authorize(request, live());
    await provider.authorize(request, live());
    await provider.authorize(
      { orderId: '00000000-0000-4000-8004-0000000000b2', amount: request.amount },
      live(),
    );
    expect(seen.map((sent) => sent.headers['idempotency-key'])).toEqual([
      `authorize-${ORDER}`,
      `authorize-${ORDER}`,
      'authorize-00000000-0000-4000-8004-0000000000b2',
    ]);
  });

  it('reports an intent that requires capture as AUTHORIZED with the intent id', async () => {
    await expect(stripeProvider().authorize(request, live())).resolves.toEqual({
      outcome: 'AUTHORIZED',
      reference: 'pi_3LocalIntent',
    });
  });

  it.each([
    ['a generic decline', cardError('card_declined', 'Your card was declined.', 'generic_decline')],
    [
      'insufficient funds',
      cardError('card_declined', 'Your card has insufficient funds.', 'insufficient_funds'),
    ],
    ['an expired card', cardError('expired_card', 'Your card has expired.')],
  ])("reports a card error (402, %s) as DECLINED with Stripe's message", async (_, body) => {
    reply = (res) => json(res, 402, body);
    await expect(stripeProvider().authorize(request, live())).resolves.toEqual({
      outcome: 'DECLINED',
      reason: body.error.message,
    });
  });

  it.each([
    [401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_***' } }],
    [
      400,
      {
        error: {
          type: 'invalid_request_error',
          code: 'parameter_invalid_integer',
          message: 'Invalid integer',
        },
      },
    ],
    [429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }],
    [500, { error: { type: 'api_error', message: 'Something went wrong on our end.' } }],
  ])('throws on any other error (%d), once, leaving retries to the caller', async (status, body) => {
    reply = (res) => json(res, status, body);
    await expect(stripeProvider().authorize(request, live())).rejects.toThrow(body.error.message);
    expect(seen).toHaveLength(1);
  });

  it('throws when the intent is in any status but requires_capture (e.g. 3-D Secure required)', async () => {
    reply = (res) => json(res, 200, intent('requires_action'));
    await expect(stripeProvider().authorize(request, live())).rejects.toThrow(
      `Stripe left payment intent pi_3LocalIntent for order ${ORDER} in status requires_action; expected requires_capture`,
    );
  });

  it('throws when Stripe cannot be reached', async () => {
    const unreachable = createStripePaymentProvider({
      secretKey: SECRET_KEY,
      paymentMethod: 'pm_card_visa',
      timeoutMs: 2000,
      api: { host: '127.0.0.1', port: 1, protocol: 'http' },
    });
    await expect(unreachable.authorize(request, live())).rejects.toThrow();
  });

  it("stops waiting and closes the connection when the caller's signal aborts", async () => {
    reply = () => undefined; // Stripe never answers.
    const controller = new AbortController();
    const pending = stripeProvider().authorize(request, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(1);
    expect(closedEarly).toBe(1);
  });

  it('behind the breaker, a Stripe that hangs becomes SERVICE_UNAVAILABLE at the timeout', async () => {
    reply = () => undefined;
    const provider = stripeProvider();
    const breaker = createBreaker(
      'payment provider',
      (signal, authorization: AuthorizationRequest) => provider.authorize(authorization, signal),
      { timeoutMs: 100, errorThresholdPercentage: 50, resetTimeoutMs: 10_000, volumeThreshold: 5 },
    );
    try {
      const error = await breaker.call(request).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('SERVICE_UNAVAILABLE');
      expect((error as DomainError).message).toBe(
        'payment provider did not answer in time; nothing was changed, try again shortly',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closedEarly).toBe(1);
    } finally {
      breaker.shutdown();
    }
  });
});

describe('refunds with the Stripe payment provider', () => {
  const refund: RefundRequest = {
    orderId: ORDER,
    reference: 'pi_3LocalIntent',
    amount: { amount: 4170, currency: 'EUR' },
  };
  const canceled = (res: ServerResponse) => json(res, 200, intent('canceled'));
  const unexpectedState = (status: string) => ({
    error: {
      type: 'invalid_request_error',
      code: 'payment_intent_unexpected_state',
      message: `You cannot cancel this PaymentIntent because it has a status of ${status}.`,
      payment_intent: intent(status),
    },
  });

  it('cancels the uncaptured PaymentIntent, keyed by the order', async () => {
    reply = canceled;
    await expect(stripeProvider().refund(refund, live())).resolves.toBeUndefined();
    expect(seen).toHaveLength(1);
    const [sent] = seen;
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/payment_intents/pi_3LocalIntent/cancel' });
    expect(sent!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(sent!.headers['idempotency-key']).toBe(`refund-${ORDER}`);
    expect(sent!.form).toEqual({});
  });

  it('sends the same idempotency key when the same order is refunded again', async () => {
    reply = canceled;
    const provider = stripeProvider();
    await provider.refund(refund, live());
    await provider.refund(refund, live());
    expect(seen.map((sent) => sent.headers['idempotency-key'])).toEqual([
      `refund-${ORDER}`,
      `refund-${ORDER}`,
    ]);
  });

  it('takes an intent that is cancelled already (expired hold, forgotten key) as refunded', async () => {
    reply = (res) => json(res, 400, unexpectedState('canceled'));
    await expect(stripeProvider().refund(refund, live())).resolves.toBeUndefined();
  });

  it.each([
    ['an intent captured meanwhile', 400, unexpectedState('succeeded')],
    [
      'an unknown intent',
      404,
      {
        error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' },
      },
    ],
    ['a Stripe failure', 500, { error: { type: 'api_error', message: 'Something went wrong on our end.' } }],
  ])('throws on %s (%d), once', async (_, status, body) => {
    reply = (res) => json(res, status, body);
    await expect(stripeProvider().refund(refund, live())).rejects.toThrow(body.error.message);
    expect(seen).toHaveLength(1);
  });

  it('throws when Stripe answers with an intent that is not cancelled', async () => {
    reply = (res) => json(res, 200, intent('requires_capture'));
    await expect(stripeProvider().refund(refund, live())).rejects.toThrow(
      `Stripe left payment intent pi_3LocalIntent for order ${ORDER} in status requires_capture; expected canceled`,
    );
  });

  it('behind the shared breaker, a Stripe that hangs on a refund becomes SERVICE_UNAVAILABLE at the timeout', async () => {
    reply = () => undefined;
    const guard = guardPaymentProvider(stripeProvider(), {
      timeoutMs: 100,
      errorThresholdPercentage: 50,
      resetTimeoutMs: 10_000,
      volumeThreshold: 5,
    });
    try {
      const error = await guard.refund(refund).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe('SERVICE_UNAVAILABLE');
      expect((error as DomainError).message).toBe(
        'payment provider did not answer in time; nothing was changed, try again shortly',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closedEarly).toBe(1);
    } finally {
      guard.shutdown();
    }
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { DomainError } from '@supergraph/errors';
import type { BreakerOptions } from '@supergraph/resilience';
import type { TestSchema } from '@supergraph/testing';
import { createFakePaymentProvider } from '../src/fake-payment-provider.ts';
import { guardPaymentProvider, type GuardedPaymentProvider } from '../src/guarded-payment-provider.ts';
import type { PaymentProvider } from '../src/payment-provider.ts';
import { Payment, type PaymentRecord } from '../src/payment.entity.ts';
import {
  createPaymentService,
  type AuthorizeCommand,
  type AuthorizeOutcome,
} from '../src/payment.service.ts';
import {
  CUSTOMER,
  eventually,
  openPaymentsDatabase,
  orderId,
  outboxFor,
  scriptedProvider,
} from './payments-fixture.ts';

let orm: Database;
let schema: TestSchema;
let nextOrder = 1;
const guards: GuardedPaymentProvider[] = [];

const BREAKER: BreakerOptions = {
  timeoutMs: 1000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 60_000,
  volumeThreshold: 3,
};

beforeAll(async () => {
  ({ orm, schema } = await openPaymentsDatabase());
});

afterEach(() => {
  for (const guard of guards.splice(0)) guard.shutdown();
});

afterAll(async () => {
  await orm?.close();
  await schema?.drop();
});

/** The provider behind a breaker, wired as the composition roots wire it. */
function guarded(provider: PaymentProvider, options: Partial<BreakerOptions> = {}) {
  const guard = guardPaymentProvider(provider, { ...BREAKER, ...options });
  guards.push(guard);
  return guard;
}

/** A service on its own EntityManager, as each request or worker job gets one. */
function serviceFor(provider: PaymentProvider, options: Partial<BreakerOptions> = {}) {
  return createPaymentService(orm.em.fork(), guarded(provider, options));
}

const fake = createFakePaymentProvider({ declineAbove: 100_000 });

function newOrder(amount = 4170, currency = 'EUR'): AuthorizeCommand {
  return { orderId: orderId(nextOrder++), userId: CUSTOMER.userId, amount: { amount, currency } };
}

async function storedFor(id: string) {
  return orm.em.fork().find(Payment, { orderId: id });
}

/** The payment an authorization created or found. */
function paymentOf(result: AuthorizeOutcome): PaymentRecord {
  if (!result.payment) throw new Error(`no payment: the authorization was ${result.outcome}`);
  return result.payment;
}

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('authorize', () => {
  it('authorizes an amount within the limit, records it once with one PaymentAuthorized', async () => {
    const command = newOrder(4170);
    const result = await serviceFor(fake).authorize(command, { traceparent: TRACEPARENT });
    expect(result.outcome).toBe('created');
    const payment = paymentOf(result);
    expect(payment).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      orderId: command.orderId,
      userId: CUSTOMER.userId,
      amount: { amount: 4170, currency: 'EUR' },
      status: 'AUTHORIZED',
      declineReason: null,
      providerReference: `fake_auth_${command.orderId}`,
    });
    const stored = await storedFor(command.orderId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: payment.id, status: 'AUTHORIZED', amount: { amount: 4170 } });
    expect(stored[0]!.createdAt.getTime()).toBe(stored[0]!.updatedAt.getTime());
    expect(await outboxFor(orm, command.orderId)).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'PaymentAuthorized',
        version: 1,
        occurredAt: expect.any(String),
        traceparent: TRACEPARENT,
        data: {
          orderId: command.orderId,
          userId: CUSTOMER.userId,
          paymentId: payment.id,
          amount: { amount: 4170, currency: 'EUR' },
        },
      },
    ]);
  });

  it('authorizes exactly the limit and declines one cent more, saying why in PaymentDeclined', async () => {
    const atLimit = paymentOf(await serviceFor(fake).authorize(newOrder(100_000)));
    expect(atLimit.status).toBe('AUTHORIZED');

    const command = newOrder(149_900);
    const declined = paymentOf(await serviceFor(fake).authorize(command));
    expect(declined).toMatchObject({
      status: 'DECLINED',
      declineReason: 'the amount 1499.00 EUR is above the limit of 1000.00 EUR',
      providerReference: null,
      amount: { amount: 149_900, currency: 'EUR' },
    });
    expect(await storedFor(command.orderId)).toEqual([expect.objectContaining({ status: 'DECLINED' })]);
    expect(await outboxFor(orm, command.orderId)).toEqual([
      expect.objectContaining({
        type: 'PaymentDeclined',
        data: {
          orderId: command.orderId,
          userId: CUSTOMER.userId,
          paymentId: declined.id,
          reason: 'the amount 1499.00 EUR is above the limit of 1000.00 EUR',
        },
      }),
    ]);
    const justAbove = paymentOf(await serviceFor(fake).authorize(newOrder(100_001)));
    expect(justAbove.declineReason).toBe('the amount 1000.01 EUR is above the limit of 1000.00 EUR');
  });

  it("states the limit in the payment's currency and its decimals", async () => {
    const declined = await serviceFor(createFakePaymentProvider({ declineAbove: 10_000 })).authorize(
      newOrder(15_000, 'JPY'),
    );
    expect(paymentOf(declined).declineReason).toBe('the amount 15000 JPY is above the limit of 10000 JPY');
  });

  it('returns the payment an order already has without asking the provider or recording again', async () => {
    const { provider, requests } = scriptedProvider(fake.authorize);
    const command = newOrder(2990);
    const first = await serviceFor(provider).authorize(command);
    const again = await serviceFor(provider).authorize(command);
    // A redelivered event with another amount does not reopen the question either.
    const changed = await serviceFor(provider).authorize({
      ...command,
      amount: { amount: 1, currency: 'EUR' },
    });
    expect([first.outcome, again.outcome, changed.outcome]).toEqual(['created', 'existing', 'existing']);
    expect([paymentOf(again).id, paymentOf(changed).id]).toEqual([paymentOf(first).id, paymentOf(first).id]);
    expect(paymentOf(changed).amount).toEqual({ amount: 2990, currency: 'EUR' });
    expect(requests).toEqual([{ orderId: command.orderId, amount: { amount: 2990, currency: 'EUR' } }]);
    expect(await outboxFor(orm, command.orderId)).toHaveLength(1);
  });

  it('keeps a decline: authorizing a declined order again gives the same decline', async () => {
    const { provider, requests } = scriptedProvider(fake.authorize);
    const command = newOrder(250_000);
    const first = paymentOf(await serviceFor(provider).authorize(command));
    const again = paymentOf(await serviceFor(provider).authorize(command));
    expect(again).toMatchObject({ id: first.id, status: 'DECLINED', declineReason: first.declineReason });
    expect(requests).toHaveLength(1);
    expect(await outboxFor(orm, command.orderId)).toHaveLength(1);
  });

  it('asks the provider once when 10 authorizations of one order race, and records one payment and event', async () => {
    const { provider, requests } = scriptedProvider(fake.authorize);
    const guard = guarded(provider);
    const command = newOrder(5980);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => createPaymentService(orm.em.fork(), guard).authorize(command)),
    );
    expect(requests).toHaveLength(1);
    const stored = await storedFor(command.orderId);
    expect(stored).toHaveLength(1);
    expect(results.map(paymentOf).map((payment) => payment.id)).toEqual(Array(10).fill(stored[0]!.id));
    expect(results.filter((result) => result.outcome === 'created')).toHaveLength(1);
    expect(results.every((result) => paymentOf(result).status === 'AUTHORIZED')).toBe(true);
    expect(await outboxFor(orm, command.orderId)).toHaveLength(1);
  });

  it('treats an order id in upper case as the same order', async () => {
    const command = newOrder(100);
    const first = paymentOf(
      await serviceFor(fake).authorize({ ...command, orderId: command.orderId.toUpperCase() }),
    );
    expect(first.orderId).toBe(command.orderId);
    expect(paymentOf(await serviceFor(fake).authorize(command)).id).toBe(first.id);
  });

  it.each([
    [
      'an order id that is not a UUID',
      { orderId: 'order-1' },
      ['orderId'],
      /^orderId must be a UUID; got "order-1"$/,
    ],
    ['a user id that is not a UUID', { userId: '' }, ['userId'], /^userId must be a UUID; got ""$/],
    [
      'a negative amount',
      { amount: { amount: -1, currency: 'EUR' } },
      ['amount.amount'],
      /^amount.amount must be an integer of 0 or more, in minor units \(1999 is 19.99\); got -1$/,
    ],
    ['a fractional amount', { amount: { amount: 19.99, currency: 'EUR' } }, ['amount.amount'], /got 19.99$/],
    [
      'an amount too large to store',
      { amount: { amount: 2 ** 31, currency: 'EUR' } },
      ['amount.amount'],
      /^amount.amount must be an integer/,
    ],
    [
      'a lower-case currency',
      { amount: { amount: 100, currency: 'eur' } },
      ['amount.currency'],
      /^amount.currency must be an ISO 4217 currency code of 3 upper-case letters, e.g. EUR; got "eur"$/,
    ],
    ['an unknown currency', { amount: { amount: 100, currency: 'EUO' } }, ['amount.currency'], /got "EUO"$/],
    [
      'everything wrong at once',
      { orderId: 'x', userId: 'y', amount: { amount: -5, currency: 'euro' } },
      ['orderId', 'userId', 'amount.amount', 'amount.currency'],
      /^orderId must be a UUID; got "x"; userId must be/,
    ],
  ])('refuses %s with BAD_USER_INPUT, before asking the provider', async (_, override, fields, message) => {
    const { provider, requests } = scriptedProvider(fake.authorize);
    const command = { ...newOrder(), ...override } as AuthorizeCommand;
    const error = await failure(serviceFor(provider).authorize(command));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ fields });
    expect(error.message).toMatch(message);
    expect(requests).toHaveLength(0);
  });

  it('answers SERVICE_UNAVAILABLE when the provider fails, records nothing, and succeeds on a retry', async () => {
    let up = false;
    const { provider, requests } = scriptedProvider(async (request, signal) => {
      if (!up) throw new Error('connect ECONNREFUSED 10.0.0.9:443');
      return fake.authorize(request, signal);
    });
    const service = serviceFor(provider);
    const command = newOrder(1490);
    const error = await failure(service.authorize(command));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toMatch(/^payment provider .*; nothing was changed, try again shortly$/);
    expect(error.message).not.toContain('ECONNREFUSED');
    expect(await storedFor(command.orderId)).toEqual([]);
    expect(await outboxFor(orm, command.orderId)).toEqual([]);

    up = true;
    expect(paymentOf(await service.authorize(command)).status).toBe('AUTHORIZED');
    expect(requests).toHaveLength(2);
    expect(await storedFor(command.orderId)).toHaveLength(1);
    expect(await outboxFor(orm, command.orderId)).toEqual([
      expect.objectContaining({ type: 'PaymentAuthorized' }),
    ]);
  });

  it('gives up on a provider that does not answer in time, cancels the call and records nothing', async () => {
    let aborted = false;
    const { provider } = scriptedProvider(
      (_, signal) =>
        new Promise<never>((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(signal.reason as Error);
          }),
        ),
    );
    const command = newOrder(1490);
    const error = await failure(serviceFor(provider, { timeoutMs: 50 }).authorize(command));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toBe(
      'payment provider did not answer in time; nothing was changed, try again shortly',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(aborted).toBe(true);
    expect(await storedFor(command.orderId)).toEqual([]);
  });

  it('fails fast without calling the provider once failures pass the volume threshold', async () => {
    const { provider, requests } = scriptedProvider(async () => {
      throw new Error('503 from the provider');
    });
    const breaker = guarded(provider, { volumeThreshold: 3 });
    const service = createPaymentService(orm.em.fork(), breaker);
    const paid = paymentOf(await serviceFor(fake).authorize(newOrder(990)));

    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await failure(service.authorize(newOrder()))).code).toBe('SERVICE_UNAVAILABLE');
    }
    expect(requests).toHaveLength(3);
    expect(breaker.state()).toBe('open');

    const command = newOrder();
    const error = await failure(service.authorize(command));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.message).toBe(
      'payment provider is unavailable right now; nothing was changed, try again shortly',
    );
    expect(requests).toHaveLength(3);
    expect(await storedFor(command.orderId)).toEqual([]);

    // An order that already has its payment is still answered: that needs no provider.
    const again = await service.authorize({
      orderId: paid.orderId,
      userId: paid.userId,
      amount: paid.amount,
    });
    expect(paymentOf(again).id).toBe(paid.id);
    expect(requests).toHaveLength(3);
  });

  it('records nothing and asks no provider for an order cancelled before it was authorized', async () => {
    const { provider, requests } = scriptedProvider(fake.authorize);
    const command = newOrder(1990);
    const cancelled = await serviceFor(provider).cancelOrder(command.orderId);
    expect(cancelled).toEqual({ refunded: false, payment: null });

    expect(await serviceFor(provider).authorize(command)).toEqual({ outcome: 'cancelled', payment: null });
    expect(requests).toHaveLength(0);
    expect(await storedFor(command.orderId)).toEqual([]);
    expect(await outboxFor(orm, command.orderId)).toEqual([]);
  });
});

describe('refund', () => {
  /** An order authorized through the service, with the provider that will be asked to refund it. */
  async function authorizedOrder(amount = 3290) {
    const command = newOrder(amount);
    const payment = paymentOf(await serviceFor(fake).authorize(command));
    expect(payment.status).toBe('AUTHORIZED');
    return { command, payment };
  }

  it('gives an authorized payment back once: AUTHORIZED -> REFUNDED, one provider call', async () => {
    const { command, payment } = await authorizedOrder(3290);
    const { provider, refunds } = scriptedProvider(fake.authorize);

    const first = await serviceFor(provider).refund(command.orderId);
    expect(first.refunded).toBe(true);
    expect(first.payment).toMatchObject({ id: payment.id, status: 'REFUNDED' });
    expect(refunds).toEqual([
      {
        orderId: command.orderId,
        reference: `fake_auth_${command.orderId}`,
        amount: { amount: 3290, currency: 'EUR' },
      },
    ]);
    const [stored] = await storedFor(command.orderId);
    expect(stored).toMatchObject({ status: 'REFUNDED' });
    expect(stored!.updatedAt.getTime()).toBeGreaterThan(stored!.createdAt.getTime());

    const again = await serviceFor(provider).refund(command.orderId.toUpperCase());
    expect(again).toEqual({ refunded: false, payment: expect.objectContaining({ status: 'REFUNDED' }) });
    expect(refunds).toHaveLength(1);
  });

  it('calls the provider once when 10 refunds of one order race', async () => {
    const { command } = await authorizedOrder();
    const { provider, refunds } = scriptedProvider(fake.authorize);
    const guard = guarded(provider);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => createPaymentService(orm.em.fork(), guard).refund(command.orderId)),
    );
    expect(refunds).toHaveLength(1);
    expect(results.filter((result) => result.refunded)).toHaveLength(1);
    expect(await storedFor(command.orderId)).toEqual([expect.objectContaining({ status: 'REFUNDED' })]);
  });

  it('does nothing for a declined payment or an order without one', async () => {
    const declinedOrder = newOrder(250_000);
    await serviceFor(fake).authorize(declinedOrder);
    const { provider, refunds } = scriptedProvider(fake.authorize);

    const declined = await serviceFor(provider).refund(declinedOrder.orderId);
    expect(declined).toEqual({ refunded: false, payment: expect.objectContaining({ status: 'DECLINED' }) });
    expect(await serviceFor(provider).refund(newOrder().orderId)).toEqual({ refunded: false, payment: null });
    expect(refunds).toHaveLength(0);
    expect(await storedFor(declinedOrder.orderId)).toEqual([expect.objectContaining({ status: 'DECLINED' })]);
  });

  it('refuses an order id that is not a UUID before asking anyone', async () => {
    const { provider, refunds } = scriptedProvider(fake.authorize);
    const error = await failure(serviceFor(provider).refund('order-1'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe('orderId must be a UUID; got "order-1"');
    expect(refunds).toHaveLength(0);
  });

  it('answers SERVICE_UNAVAILABLE when the provider fails, keeps the payment AUTHORIZED, refunds on a retry', async () => {
    const { command } = await authorizedOrder();
    let up = false;
    const { provider, refunds } = scriptedProvider(fake.authorize, async () => {
      if (!up) throw new Error('connect ECONNREFUSED 10.0.0.9:443');
    });
    const service = serviceFor(provider);
    const error = await failure(service.refund(command.orderId));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(await storedFor(command.orderId)).toEqual([expect.objectContaining({ status: 'AUTHORIZED' })]);

    up = true;
    expect((await service.refund(command.orderId)).refunded).toBe(true);
    expect(refunds).toHaveLength(2);
    expect(await storedFor(command.orderId)).toEqual([expect.objectContaining({ status: 'REFUNDED' })]);
  });

  it('shares one breaker with authorization: failing refunds open the circuit for both', async () => {
    const orders = [await authorizedOrder(), await authorizedOrder(), await authorizedOrder()];
    const { provider, requests, refunds } = scriptedProvider(fake.authorize, async () => {
      throw new Error('503 from the provider');
    });
    const guard = guarded(provider, { volumeThreshold: 3 });
    for (const { command } of orders) {
      const error = await failure(createPaymentService(orm.em.fork(), guard).refund(command.orderId));
      expect(error.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect(guard.state()).toBe('open');

    const command = newOrder();
    const error = await failure(createPaymentService(orm.em.fork(), guard).authorize(command));
    expect(error.message).toBe(
      'payment provider is unavailable right now; nothing was changed, try again shortly',
    );
    expect([requests.length, refunds.length]).toEqual([0, 3]);
  });
});

describe('cancelOrder', () => {
  /** Sessions of this schema's role waiting for an advisory lock. */
  async function advisoryLockWaiters(): Promise<number> {
    const [row] = await orm.em.fork().execute<Array<{ waiting: number }>>(
      `select count(*)::int as waiting from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'advisory' and not l.granted and a.usename = current_user`,
    );
    return row?.waiting ?? 0;
  }

  it('remembers the cancellation and refunds an authorized payment, once however often it is told', async () => {
    const command = newOrder(1200);
    await serviceFor(fake).authorize(command);
    const { provider, requests, refunds } = scriptedProvider(fake.authorize);

    const first = await serviceFor(provider).cancelOrder(command.orderId);
    const again = await serviceFor(provider).cancelOrder(command.orderId);
    expect([first.refunded, again.refunded]).toEqual([true, false]);
    expect(refunds).toHaveLength(1);
    expect(await storedFor(command.orderId)).toEqual([expect.objectContaining({ status: 'REFUNDED' })]);
    // ...and the order stays cancelled: authorizing it again asks nobody.
    expect((await serviceFor(provider).authorize(command)).outcome).toBe('cancelled');
    expect(requests).toHaveLength(0);
  });

  it('waits for an authorization under way and then refunds it, rather than missing it', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const atProvider = new Promise<void>((resolve) => (arrived = resolve));
    const { provider, requests, refunds } = scriptedProvider(async (request, signal) => {
      arrived();
      await released;
      return fake.authorize(request, signal);
    });
    const guard = guarded(provider, { timeoutMs: 10_000 });
    const command = newOrder(2400);

    const authorizing = createPaymentService(orm.em.fork(), guard).authorize(command);
    await atProvider;
    // The authorization holds the order's lock now; the cancellation queues behind it.
    const cancelling = createPaymentService(orm.em.fork(), guard).cancelOrder(command.orderId);
    await eventually(async () => expect(await advisoryLockWaiters()).toBe(1));
    release();

    const [authorized, cancelled] = await Promise.all([authorizing, cancelling]);
    expect(authorized.outcome).toBe('created');
    expect(cancelled.refunded).toBe(true);
    expect([requests.length, refunds.length]).toEqual([1, 1]);
    expect(await storedFor(command.orderId)).toEqual([expect.objectContaining({ status: 'REFUNDED' })]);
    expect((await outboxFor(orm, command.orderId)).map((event) => event.type)).toEqual(['PaymentAuthorized']);
  });
});

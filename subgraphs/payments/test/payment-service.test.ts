import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { DomainError } from '@supergraph/errors';
import { createBreaker, type Breaker, type BreakerOptions } from '@supergraph/resilience';
import type { TestSchema } from '@supergraph/testing';
import { createFakePaymentProvider } from '../src/fake-payment-provider.ts';
import type { AuthorizationRequest, AuthorizationResult, PaymentProvider } from '../src/payment-provider.ts';
import { Payment } from '../src/payment.entity.ts';
import { createPaymentService, type AuthorizeCommand } from '../src/payment.service.ts';
import { CUSTOMER, openPaymentsDatabase, orderId, scriptedProvider } from './payments-fixture.ts';

let orm: Database;
let schema: TestSchema;
let nextOrder = 1;
const breakers: Array<Breaker<[AuthorizationRequest], AuthorizationResult>> = [];

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
  for (const breaker of breakers.splice(0)) breaker.shutdown();
});

afterAll(async () => {
  await orm?.close();
  await schema?.drop();
});

/** The provider behind a breaker, wired as the composition root wires it. */
function guarded(provider: PaymentProvider, options: Partial<BreakerOptions> = {}) {
  const breaker = createBreaker(
    'payment provider',
    (signal, request: AuthorizationRequest) => provider.authorize(request, signal),
    { ...BREAKER, ...options },
  );
  breakers.push(breaker);
  return breaker;
}

/** A service on its own EntityManager, as each request or worker job gets one. */
function serviceFor(provider: PaymentProvider, options: Partial<BreakerOptions> = {}) {
  return createPaymentService(orm.em.fork(), guarded(provider, options).call);
}

const fake = createFakePaymentProvider({ declineAbove: 100_000 });

function newOrder(amount = 4170, currency = 'EUR'): AuthorizeCommand {
  return { orderId: orderId(nextOrder++), userId: CUSTOMER.userId, amount: { amount, currency } };
}

async function storedFor(id: string) {
  return orm.em.fork().find(Payment, { orderId: id });
}

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('authorize', () => {
  it('authorizes an amount within the limit and records it once', async () => {
    const command = newOrder(4170);
    const payment = await serviceFor(fake).authorize(command);
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
  });

  it('authorizes exactly the limit and declines one cent more, saying why', async () => {
    const atLimit = await serviceFor(fake).authorize(newOrder(100_000));
    expect(atLimit.status).toBe('AUTHORIZED');

    const command = newOrder(149_900);
    const declined = await serviceFor(fake).authorize(command);
    expect(declined).toMatchObject({
      status: 'DECLINED',
      declineReason: 'the amount 1499.00 EUR is above the limit of 1000.00 EUR',
      providerReference: null,
      amount: { amount: 149_900, currency: 'EUR' },
    });
    expect(await storedFor(command.orderId)).toEqual([expect.objectContaining({ status: 'DECLINED' })]);
    const justAbove = await serviceFor(fake).authorize(newOrder(100_001));
    expect(justAbove.declineReason).toBe('the amount 1000.01 EUR is above the limit of 1000.00 EUR');
  });

  it("states the limit in the payment's currency and its decimals", async () => {
    const declined = await serviceFor(createFakePaymentProvider({ declineAbove: 10_000 })).authorize(
      newOrder(15_000, 'JPY'),
    );
    expect(declined.declineReason).toBe('the amount 15000 JPY is above the limit of 10000 JPY');
  });

  it('returns the payment an order already has without asking the provider again', async () => {
    const { provider, requests } = scriptedProvider(fake.authorize);
    const command = newOrder(2990);
    const first = await serviceFor(provider).authorize(command);
    const again = await serviceFor(provider).authorize(command);
    // A redelivered event with another amount does not reopen the question either.
    const changed = await serviceFor(provider).authorize({
      ...command,
      amount: { amount: 1, currency: 'EUR' },
    });
    expect([again.id, changed.id]).toEqual([first.id, first.id]);
    expect(changed.amount).toEqual({ amount: 2990, currency: 'EUR' });
    expect(requests).toEqual([{ orderId: command.orderId, amount: { amount: 2990, currency: 'EUR' } }]);
  });

  it('keeps a decline: authorizing a declined order again gives the same decline', async () => {
    const { provider, requests } = scriptedProvider(fake.authorize);
    const command = newOrder(250_000);
    const first = await serviceFor(provider).authorize(command);
    const again = await serviceFor(provider).authorize(command);
    expect(again).toMatchObject({ id: first.id, status: 'DECLINED', declineReason: first.declineReason });
    expect(requests).toHaveLength(1);
  });

  it('ends 10 simultaneous authorizations of one order with one row and one answer', async () => {
    // Every call is held at the provider until all 10 are there, so all 10 race to insert.
    let release!: () => void;
    const allArrived = new Promise<void>((resolve) => (release = resolve));
    const { provider, requests } = scriptedProvider(async (request, signal) => {
      if (requests.length === 10) release();
      await allArrived;
      return fake.authorize(request, signal);
    });
    const breaker = guarded(provider);
    const command = newOrder(5980);
    const payments = await Promise.all(
      Array.from({ length: 10 }, () => createPaymentService(orm.em.fork(), breaker.call).authorize(command)),
    );
    expect(requests).toHaveLength(10);
    const stored = await storedFor(command.orderId);
    expect(stored).toHaveLength(1);
    expect(payments.map((payment) => payment.id)).toEqual(Array(10).fill(stored[0]!.id));
    expect(payments.every((payment) => payment.status === 'AUTHORIZED')).toBe(true);
  });

  it('treats an order id in upper case as the same order', async () => {
    const command = newOrder(100);
    const first = await serviceFor(fake).authorize({ ...command, orderId: command.orderId.toUpperCase() });
    expect(first.orderId).toBe(command.orderId);
    expect((await serviceFor(fake).authorize(command)).id).toBe(first.id);
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

    up = true;
    expect((await service.authorize(command)).status).toBe('AUTHORIZED');
    expect(requests).toHaveLength(2);
    expect(await storedFor(command.orderId)).toHaveLength(1);
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
    const service = createPaymentService(orm.em.fork(), breaker.call);
    const paid = await serviceFor(fake).authorize(newOrder(990));

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
    expect(again.id).toBe(paid.id);
    expect(requests).toHaveLength(3);
  });
});

import { describe, expect, it } from '@jest/globals';
import { createFakePaymentProvider } from './fake-payment-provider.ts';

const ORDER = '00000000-0000-4000-8004-000000000042';
const live = () => new AbortController().signal;

describe('the fake payment provider', () => {
  const provider = createFakePaymentProvider({ declineAbove: 100_000 });

  it('authorizes up to the limit with a reference derived from the order', async () => {
    for (const amount of [0, 4170, 100_000]) {
      await expect(
        provider.authorize({ orderId: ORDER, amount: { amount, currency: 'EUR' } }, live()),
      ).resolves.toEqual({
        outcome: 'AUTHORIZED',
        reference: `fake_auth_${ORDER}`,
      });
    }
  });

  it('declines above the limit and says so in the money of the payment', async () => {
    await expect(
      provider.authorize({ orderId: ORDER, amount: { amount: 149_900, currency: 'EUR' } }, live()),
    ).resolves.toEqual({
      outcome: 'DECLINED',
      reason: 'the amount 1499.00 EUR is above the limit of 1000.00 EUR',
    });
    await expect(
      provider.authorize({ orderId: ORDER, amount: { amount: 100_001, currency: 'USD' } }, live()),
    ).resolves.toEqual({
      outcome: 'DECLINED',
      reason: 'the amount 1000.01 USD is above the limit of 1000.00 USD',
    });
  });

  it('takes its limit from configuration', async () => {
    const strict = createFakePaymentProvider({ declineAbove: 500 });
    const result = await strict.authorize(
      { orderId: ORDER, amount: { amount: 501, currency: 'EUR' } },
      live(),
    );
    expect(result).toEqual({
      outcome: 'DECLINED',
      reason: 'the amount 5.01 EUR is above the limit of 5.00 EUR',
    });
  });

  it('does no work for a caller that already gave up', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gave up'));
    await expect(
      provider.authorize({ orderId: ORDER, amount: { amount: 1, currency: 'EUR' } }, controller.signal),
    ).rejects.toThrow('gave up');
  });

  it('refunds every authorization it gave', async () => {
    await expect(
      provider.refund(
        { orderId: ORDER, reference: `fake_auth_${ORDER}`, amount: { amount: 4170, currency: 'EUR' } },
        live(),
      ),
    ).resolves.toBeUndefined();
  });
});

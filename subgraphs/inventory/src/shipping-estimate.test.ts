import { describe, it, expect } from '@jest/globals';
import { shippingEstimate } from './shipping-estimate.ts';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('shippingEstimate', () => {
  it.each([
    [1, 490],
    [1_000, 490],
    [1_001, 690],
    [5_000, 690],
    [5_001, 1_290],
    [20_000, 1_290],
    [20_001, 2_490],
    [80_000, 2_490],
  ])('charges a parcel of %i g at %i', (weightGrams, amount) => {
    expect(shippingEstimate({ price: eur(9_999), weightGrams })).toEqual(eur(amount));
  });

  it('ships free from 100.00 of price, however heavy', () => {
    expect(shippingEstimate({ price: eur(10_000), weightGrams: 24_500 })).toEqual(eur(0));
    expect(shippingEstimate({ price: eur(149_900), weightGrams: 300 })).toEqual(eur(0));
    expect(shippingEstimate({ price: eur(9_999), weightGrams: 24_500 })).toEqual(eur(2_490));
  });

  it("charges in the price's currency", () => {
    expect(shippingEstimate({ price: { amount: 2_500, currency: 'USD' }, weightGrams: 1_800 })).toEqual({
      amount: 690,
      currency: 'USD',
    });
    expect(shippingEstimate({ price: { amount: 20_000, currency: 'GBP' }, weightGrams: 1_800 })).toEqual({
      amount: 0,
      currency: 'GBP',
    });
  });
});

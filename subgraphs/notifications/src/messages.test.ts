import { describe, it, expect } from '@jest/globals';
import { formatMoney, orderCancelled, orderConfirmed, welcome } from './messages.ts';

describe('formatMoney', () => {
  it.each([
    [4170, 'EUR', '41.70 EUR'],
    [5, 'EUR', '0.05 EUR'],
    [0, 'USD', '0.00 USD'],
    [149_900, 'EUR', '1,499.00 EUR'],
    [123_456_789_012, 'EUR', '1,234,567,890.12 EUR'],
    [1000, 'JPY', '1,000 JPY'],
    [1_234_567, 'BHD', '1,234.567 BHD'],
    [-250, 'USD', '-2.50 USD'],
  ])('formats %i minor units of %s as %s', (amount, currency, expected) => {
    expect(formatMoney({ amount, currency })).toBe(expected);
  });
});

describe('the message templates', () => {
  it('welcome greets the new user by name', () => {
    expect(welcome({ name: 'Casey Customer' })).toEqual({
      subject: 'Welcome to Supergraph Shop, Casey Customer',
      body:
        'Hi Casey Customer,\n\n' +
        'your account is ready. Sign in with your email address to order from the catalog and follow your orders.\n\n' +
        'Thank you for shopping with us.\nSupergraph Shop',
    });
  });

  it('welcome keeps a name with line breaks on one subject line, and copes without a name', () => {
    expect(welcome({ name: 'Casey\r\nBcc: x@example.com' }).subject).toBe(
      'Welcome to Supergraph Shop, Casey Bcc: x@example.com',
    );
    const anonymous = welcome({ name: '  ' });
    expect(anonymous.subject).toBe('Welcome to Supergraph Shop');
    expect(anonymous.body.startsWith('Hi there,\n')).toBe(true);
  });

  it('orderConfirmed names the order and its total in major units', () => {
    expect(
      orderConfirmed({
        orderId: '00000000-0000-4000-8004-000000000001',
        total: { amount: 4170, currency: 'EUR' },
      }),
    ).toEqual({
      subject: 'Your order is confirmed: 41.70 EUR',
      body:
        'Hello,\n\n' +
        'we have reserved your items and your payment is authorized. Your order is confirmed.\n\n' +
        'Order: 00000000-0000-4000-8004-000000000001\n' +
        'Total: 41.70 EUR\n\n' +
        'Thank you for shopping with us.\nSupergraph Shop',
    });
  });

  it('orderCancelled names the order and the reason', () => {
    expect(
      orderCancelled({ orderId: '00000000-0000-4000-8004-000000000009', reason: 'payment declined' }),
    ).toEqual({
      subject: 'Your order was cancelled',
      body:
        'Hello,\n\n' +
        'we are sorry: your order was cancelled, and any payment authorized for it is released.\n\n' +
        'Order: 00000000-0000-4000-8004-000000000009\n' +
        'Reason: payment declined\n\n' +
        'Thank you for shopping with us.\nSupergraph Shop',
    });
    expect(orderCancelled({ orderId: 'x', reason: '' }).body).toContain('Reason: not given\n');
  });
});

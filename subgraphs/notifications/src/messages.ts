/**
 * The texts of the notifications, one plain function per kind. The worker that consumes the domain
 * events calls them with the event's data and hands the result to NotificationService.notify.
 */

export interface Message {
  subject: string;
  body: string;
}

/** An amount in integer minor units of an ISO 4217 currency, as every subgraph carries money. */
export interface MoneyAmount {
  amount: number;
  currency: string;
}

const SHOP = 'Supergraph Shop';
const SIGNATURE = `Thank you for shopping with us.\n${SHOP}`;

/**
 * `41.70 EUR` for 4170 EUR: the currency's own number of minor digits (JPY has none, BHD three), worked
 * out on the digits so a large amount never picks up a floating-point error.
 */
export function formatMoney({ amount, currency }: MoneyAmount): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const units = String(Math.abs(amount)).padStart(digits + 1, '0');
  const whole = units.slice(0, units.length - digits).replace(/\B(?=(\d{3})+$)/g, ',');
  const fraction = digits > 0 ? `.${units.slice(units.length - digits)}` : '';
  return `${amount < 0 ? '-' : ''}${whole}${fraction} ${currency}`;
}

/** A name the user typed goes into a subject line: it must stay one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function welcome({ name }: { name: string }): Message {
  const who = oneLine(name);
  return {
    subject: who ? `Welcome to ${SHOP}, ${who}` : `Welcome to ${SHOP}`,
    body: [
      `Hi ${who || 'there'},`,
      '',
      'your account is ready. Sign in with your email address to order from the catalog and follow your orders.',
      '',
      SIGNATURE,
    ].join('\n'),
  };
}

export function orderConfirmed({ orderId, total }: { orderId: string; total: MoneyAmount }): Message {
  return {
    subject: `Your order is confirmed: ${formatMoney(total)}`,
    body: [
      'Hello,',
      '',
      'we have reserved your items and your payment is authorized. Your order is confirmed.',
      '',
      `Order: ${orderId}`,
      `Total: ${formatMoney(total)}`,
      '',
      SIGNATURE,
    ].join('\n'),
  };
}

export function orderCancelled({ orderId, reason }: { orderId: string; reason: string }): Message {
  return {
    subject: 'Your order was cancelled',
    body: [
      'Hello,',
      '',
      'we are sorry: your order was cancelled, and any payment authorized for it is released.',
      '',
      `Order: ${orderId}`,
      `Reason: ${oneLine(reason) || 'not given'}`,
      '',
      SIGNATURE,
    ].join('\n'),
  };
}

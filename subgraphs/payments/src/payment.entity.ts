import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const PAYMENT_STATUSES = ['AUTHORIZED', 'DECLINED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** An amount in integer minor units of an ISO 4217 currency, as products and orders store prices. */
export const Money = defineEntity({
  name: 'Money',
  embeddable: true,
  properties: {
    amount: p.integer(),
    currency: p.string().length(3).columnType('char(3)'),
  },
});

/**
 * One payment per order: the unique order_id is what makes authorizing an order idempotent, however
 * many times the saga's event is delivered or workers race on it.
 */
export const Payment = defineEntity({
  name: 'Payment',
  tableName: 'payment',
  schema: '*',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    orderId: p.uuid().unique(),
    // A customer's payments (and a future "my payments") are found by user.
    userId: p.uuid().index(),
    amount: p.embedded(Money).prefix('amount_'),
    status: p.enum(PAYMENT_STATUSES),
    declineReason: p.text().nullable(),
    /** The provider's id of the authorization (a Stripe PaymentIntent), to capture or refund it later. */
    providerReference: p.string().length(255).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      // The same instant as createdAt: a new row was not updated after it was created.
      .onCreate((row) => row.createdAt ?? new Date())
      .onUpdate(() => new Date()),
  },
  checks: [
    { name: 'payment_amount_amount_check', expression: 'amount_amount >= 0' },
    { name: 'payment_amount_currency_check', expression: "amount_currency similar to '[A-Z]{3}'" },
    // A reason exactly when declined; a provider reference whenever the provider holds (or held) money.
    {
      name: 'payment_decline_reason_check',
      expression: "(status = 'DECLINED') = (decline_reason is not null)",
    },
    {
      name: 'payment_provider_reference_check',
      expression: "status = 'DECLINED' or provider_reference is not null",
    },
  ],
});

export type PaymentRecord = InferEntity<typeof Payment>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Integer minor units of an ISO 4217 currency, as products prices a product. */
export const Money = defineEntity({
  name: 'Money',
  embeddable: true,
  properties: {
    amount: p.integer(),
    currency: p.string().length(3),
  },
});

export const Order = defineEntity({
  name: 'Order',
  // `order` is a reserved word in SQL; every statement would have to quote it.
  tableName: 'customer_order',
  schema: '*',
  // A customer's orders newest first, and the keyset cursor after (created_at, id), read one index range.
  indexes: [
    {
      name: 'customer_order_user_id_created_at_id_index',
      columns: [{ name: 'user_id' }, { name: 'created_at', sort: 'desc' }, { name: 'id', sort: 'desc' }],
    },
    // The saga sweeper's query: orders still PENDING, oldest first (few at any time, among all orders).
    {
      name: 'customer_order_pending_created_at_index',
      properties: ['createdAt'],
      where: "status = 'PENDING'",
    },
  ],
  // The constraint, not a prior lookup, makes one key one order when retries race.
  uniques: [
    { name: 'customer_order_user_id_idempotency_key_unique', properties: ['userId', 'idempotencyKey'] },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    userId: p.uuid(),
    status: p.enum(ORDER_STATUSES),
    cancellationReason: p.string().length(500).nullable(),
    total: p.embedded(Money).prefix('total_'),
    idempotencyKey: p.string().length(100).nullable(),
    /** sha256 of the normalised items, so a reused key with other items is told apart from a retry. */
    requestFingerprint: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      // The same instant as createdAt: a new row was not updated after it was created.
      .onCreate((row) => row.createdAt ?? new Date())
      .onUpdate(() => new Date()),
  },
  checks: [
    { name: 'customer_order_total_amount_check', expression: 'total_amount >= 0' },
    { name: 'customer_order_total_currency_check', expression: "total_currency similar to '[A-Z]{3}'" },
    {
      name: 'customer_order_cancellation_reason_check',
      expression: "(status = 'CANCELLED') = (cancellation_reason is not null)",
    },
    {
      name: 'customer_order_request_fingerprint_check',
      expression: "request_fingerprint similar to '[0-9a-f]{64}'",
    },
    {
      name: 'customer_order_idempotency_check',
      expression: '(idempotency_key is null) = (request_fingerprint is null)',
    },
  ],
});

export type OrderRecord = InferEntity<typeof Order>;

export const OrderItem = defineEntity({
  name: 'OrderItem',
  tableName: 'order_item',
  schema: '*',
  // The primary key (order_id, position) is also the index the items loader reads by order id.
  properties: {
    order: () => p.manyToOne(Order).primary().deleteRule('cascade'),
    /** The item's place in the order as the customer listed it, from 0. */
    position: p.smallint().primary(),
    productId: p.uuid(),
    quantity: p.smallint(),
    /** The product's price when the order was placed: a later price change does not alter the order. */
    unitPrice: p.embedded(Money).prefix('unit_price_'),
  },
  checks: [
    { name: 'order_item_position_check', expression: 'position >= 0' },
    { name: 'order_item_quantity_check', expression: 'quantity between 1 and 100' },
    { name: 'order_item_unit_price_amount_check', expression: 'unit_price_amount >= 0' },
    { name: 'order_item_unit_price_currency_check', expression: "unit_price_currency similar to '[A-Z]{3}'" },
  ],
});

export type OrderItemRecord = InferEntity<typeof OrderItem>;

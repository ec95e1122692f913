import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A price in integer minor units (cents for EUR and USD) of an ISO 4217 currency: integers never round,
 * and the currency travels with the amount so two prices in different currencies are never added.
 */
export const Money = defineEntity({
  name: 'Money',
  embeddable: true,
  properties: {
    amount: p.integer(),
    currency: p.string().length(3),
  },
});

export const Product = defineEntity({
  name: 'Product',
  tableName: 'product',
  schema: '*',
  // Keyset pagination walks (created_at, id); the index serves both the order and the cursor predicate.
  indexes: [{ properties: ['createdAt', 'id'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => crypto.randomUUID()),
    sku: p.string().length(32).unique(),
    name: p.string().length(200),
    description: p.text(),
    price: p.embedded(Money).prefix('price_'),
    weightGrams: p.integer().check('weight_grams > 0'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      // The same instant as createdAt: a new row was not updated after it was created.
      .onCreate((row) => row.createdAt ?? new Date())
      .onUpdate(() => new Date()),
  },
  checks: [{ name: 'product_price_amount_check', expression: 'price_amount >= 0' }],
});

export type ProductRecord = InferEntity<typeof Product>;

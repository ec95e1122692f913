import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * What the warehouse holds of one product. `available` can still be sold; `reserved` is held for open
 * orders until they are paid (and then shipped) or cancelled. Both only ever move through conditional
 * or additive updates, and the CHECKs make "never below zero" a property of the data, not of the code.
 */
export const StockLevel = defineEntity({
  name: 'StockLevel',
  tableName: 'stock_level',
  schema: '*',
  properties: {
    productId: p.uuid().primary(),
    available: p.integer().check('available >= 0'),
    reserved: p.integer().check('reserved >= 0'),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type StockLevelRecord = InferEntity<typeof StockLevel>;

import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const RESERVATION_STATUSES = ['RESERVED', 'RELEASED', 'REJECTED'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** A product an order could not have, and how many units there were when it asked. */
export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

/**
 * The outcome of reserving stock for one order; the order id is the key, so a redelivered event or a
 * concurrent second attempt finds this row instead of reserving twice. A REJECTED row keeps its
 * shortages so that the same question always gets the same answer.
 */
export const Reservation = defineEntity({
  name: 'Reservation',
  tableName: 'reservation',
  schema: '*',
  properties: {
    orderId: p.uuid().primary(),
    status: p.enum(RESERVATION_STATUSES),
    shortages: p.json<Shortage[]>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      // The same instant as createdAt: a new row was not updated after it was created.
      .onCreate((row) => row.createdAt ?? new Date())
      .onUpdate(() => new Date()),
  },
  checks: [
    {
      name: 'reservation_shortages_check',
      expression: `(status = 'REJECTED') = (shortages is not null)`,
    },
  ],
});

/**
 * One product of a reservation. Lines are kept whatever the outcome (what was asked); those of RESERVED
 * reservations add up, per product, to `stock_level.reserved`.
 */
export const ReservationLine = defineEntity({
  name: 'ReservationLine',
  tableName: 'reservation_line',
  schema: '*',
  properties: {
    reservation: p.manyToOne(Reservation).primary().fieldName('order_id'),
    productId: p.uuid().primary(),
    quantity: p.integer().check('quantity > 0'),
  },
});

export type ReservationRecord = InferEntity<typeof Reservation>;
export type ReservationLineRecord = InferEntity<typeof ReservationLine>;

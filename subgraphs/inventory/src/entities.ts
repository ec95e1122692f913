import { Reservation, ReservationLine } from './reservation.entity.ts';
import { StockLevel } from './stock-level.entity.ts';

/** Every entity of this subgraph: the app registers them, migration generation diffs them. */
export const entities = [StockLevel, Reservation, ReservationLine];

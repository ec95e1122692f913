import { consumerEntities } from '@supergraph/events';
import { Reservation, ReservationLine } from './reservation.entity.ts';
import { StockLevel } from './stock-level.entity.ts';

/**
 * Every entity of this subgraph: the app registers them, migration generation diffs them. Inventory
 * consumes events (processed ids, dead letters) and emits its outcomes (outbox).
 */
export const entities = [StockLevel, Reservation, ReservationLine, ...consumerEntities];

import { consumerEntities } from '@supergraph/events';
import { Money, Order, OrderItem } from './order.entity.ts';

/**
 * Every entity of this subgraph: the app registers them, migration generation diffs them. Orders emits
 * and consumes events, so it has an outbox, a processed-event record and dead letters.
 */
export const entities = [Order, OrderItem, Money, ...consumerEntities];

import { Money, Order, OrderItem } from './order.entity.ts';

/** Every entity of this subgraph: the app registers them, migration generation diffs them. */
export const entities = [Order, OrderItem, Money];

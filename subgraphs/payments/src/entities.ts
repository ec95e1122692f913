import { consumerEntities } from '@supergraph/events';
import { CancelledOrder } from './cancelled-order.entity.ts';
import { Money, Payment } from './payment.entity.ts';

/** Every entity of this subgraph: the app registers them, migration generation diffs them. */
export const entities = [Payment, Money, CancelledOrder, ...consumerEntities];

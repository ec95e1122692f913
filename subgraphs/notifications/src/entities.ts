import { consumerEntities } from '@supergraph/events';
import { Notification } from './notification.entity.ts';
import { Recipient } from './recipient.entity.ts';

/**
 * Every entity of this subgraph: the app registers them, migration generation diffs them. The events
 * tables (outbox, processed events, dead letters) live in this schema too; the outbox stays empty, as
 * notifications announces nothing.
 */
export const entities = [Notification, Recipient, ...consumerEntities];

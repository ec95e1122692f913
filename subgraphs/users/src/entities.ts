import { producerEntities } from '@supergraph/events';
import { User } from './user.entity.ts';

/** Every entity of this subgraph, the outbox included: the app registers them, migrations diff them. */
export const entities = [User, ...producerEntities];

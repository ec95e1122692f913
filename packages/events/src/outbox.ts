import type { EntityManager } from '@mikro-orm/postgresql';
import { activeTraceparent } from '@supergraph/telemetry';
import {
  validateEventData,
  EVENT_CONTRACTS,
  type EventEnvelope,
  type EventData,
  type EventType,
} from './contracts.ts';
import { OutboxEvent } from './entities.ts';

/** Postgres channel a relay listens on; the payload is the schema whose outbox has a new row. */
export const OUTBOX_CHANNEL = 'supergraph_outbox';

/**
 * Records an event in the caller's outbox, on the caller's EntityManager: call it inside the
 * transaction that makes the change, and the event commits (or rolls back) with it. The data is
 * checked against the event's contract first. A NOTIFY, delivered by Postgres only at commit, wakes the
 * relay at once. The envelope carries the trace of whatever records it (the request's span, or the
 * span of the job whose handler records a follow-up) unless `traceparent` names another, so the
 * consumers' work joins that trace.
 */
export async function recordEvent<T extends EventType>(
  em: EntityManager,
  type: T,
  data: EventData<T>,
  options: { traceparent?: string } = {},
): Promise<EventEnvelope<T>> {
  const traceparent = options.traceparent ?? activeTraceparent();
  const envelope: EventEnvelope<T> = {
    id: crypto.randomUUID(),
    type,
    version: EVENT_CONTRACTS[type].version,
    occurredAt: new Date().toISOString(),
    ...(traceparent ? { traceparent } : {}),
    data: validateEventData(type, data),
  };
  em.create(OutboxEvent, {
    id: envelope.id,
    type,
    envelope: envelope as unknown as Record<string, unknown>,
    createdAt: new Date(envelope.occurredAt),
    publishedAt: null,
  });
  const schema = em.config.get('schema') ?? 'public';
  await em.execute('select pg_notify(?, ?)', [OUTBOX_CHANNEL, schema]);
  return envelope;
}

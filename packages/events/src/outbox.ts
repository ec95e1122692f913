import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { activeTraceparent } from '@supergraph/telemetry';
import { currentCause } from './causation.ts';
import {
  validateEventData,
  EVENT_CONTRACTS,
  type EventEnvelope,
  type EventData,
  type EventType,
} from './contracts.ts';

/** Prefix of the Postgres channels relays listen on; the payload is the schema whose outbox has a new row. */
export const OUTBOX_CHANNEL = 'supergraph_outbox';
/** Postgres truncates nothing: a channel name longer than an identifier (63 bytes) is an error. */
const CHANNEL_MAX = 63;

/**
 * The channel of one schema's outbox: a relay wakes for its own domain's events only, not for every
 * event any domain records (Postgres delivers a notification to each connection listening on its
 * channel). A schema name too long to fit is replaced by its hash.
 */
export function outboxChannel(schema: string): string {
  const channel = `${OUTBOX_CHANNEL}_${schema}`;
  if (channel.length <= CHANNEL_MAX) return channel;
  return `${OUTBOX_CHANNEL}_${createHash('sha1').update(schema).digest('hex')}`;
}

/** A new event of its contract's current version, its data checked against the contract. */
export function createEnvelope<T extends EventType>(
  type: T,
  data: EventData<T>,
  traceparent?: string,
  id: string = crypto.randomUUID(),
): EventEnvelope<T> {
  return {
    id,
    type,
    version: EVENT_CONTRACTS[type].version,
    occurredAt: new Date().toISOString(),
    ...(traceparent ? { traceparent } : {}),
    data: validateEventData(type, data),
  };
}

export interface RecordOptions {
  /** The trace to continue; by default the active one. */
  traceparent?: string;
  /**
   * The event's id, for an event that is one of a kind per entity (an order's OrderPlaced has the
   * order's id, so a sweeper finds it without a search); a new UUID by default.
   */
  id?: string;
}

/**
 * Records an event in the caller's outbox, on the caller's EntityManager: call it inside the
 * transaction that makes the change, and the event commits (or rolls back) with it. The data is
 * checked against the event's contract first. A NOTIFY, delivered by Postgres only at commit, wakes the
 * relay at once. The envelope carries the trace of whatever records it (the request's span, or the
 * span of the job whose handler records a follow-up) unless `traceparent` names another, so the
 * consumers' work joins that trace. Recorded by an event's handler, the row remembers that event as its
 * cause (causation.ts).
 */
export async function recordEvent<T extends EventType>(
  em: EntityManager,
  type: T,
  data: EventData<T>,
  options: RecordOptions = {},
): Promise<EventEnvelope<T>> {
  const envelope = createEnvelope(type, data, options.traceparent ?? activeTraceparent(), options.id);
  const schema = em.config.get('schema') ?? 'public';
  // The row and its NOTIFY in one statement, written at once rather than at flush: every event costs
  // the saga a round trip to Postgres less, and the unit of work has one entity fewer to compute.
  await em.execute(
    `insert into "${schema}"."outbox_event" (id, type, envelope, created_at, published_at, caused_by)
     select ?, ?, ?, ?, null, ? from pg_notify(?, ?)`,
    [
      envelope.id,
      type,
      JSON.stringify(envelope),
      envelope.occurredAt,
      currentCause() ?? null,
      outboxChannel(schema),
      schema,
    ],
  );
  return envelope;
}

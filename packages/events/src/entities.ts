import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An event waiting to leave its domain: written in the same transaction as the change it announces, so
 * the two commit or roll back together. The relay publishes it and sets published_at.
 */
export const OutboxEvent = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_event',
  schema: '*',
  // The relay's query: unpublished rows, oldest first.
  indexes: [{ properties: ['publishedAt', 'createdAt'] }],
  properties: {
    id: p.uuid().primary(),
    type: p.string().length(64),
    envelope: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
    publishedAt: p.datetime().nullable(),
  },
});

/** An event a consumer has acted on, recorded in the same transaction as the effect. */
export const ProcessedEvent = defineEntity({
  name: 'ProcessedEvent',
  tableName: 'processed_event',
  schema: '*',
  properties: {
    eventId: p.uuid().primary(),
    type: p.string().length(64),
    processedAt: p.datetime(),
  },
});

/** An event a consumer gave up on after its last attempt, kept for an operator to see and replay. */
export const DeadLetter = defineEntity({
  name: 'DeadLetter',
  tableName: 'dead_letter',
  schema: '*',
  properties: {
    eventId: p.uuid().primary(),
    type: p.string().length(64),
    envelope: p.json<Record<string, unknown>>(),
    error: p.text(),
    attempts: p.integer(),
    failedAt: p.datetime(),
    replayedAt: p.datetime().nullable(),
  },
});

export type OutboxEventRecord = InferEntity<typeof OutboxEvent>;
export type DeadLetterRecord = InferEntity<typeof DeadLetter>;

/** Tables of a domain that emits events. */
export const producerEntities = [OutboxEvent];
/** Tables of a domain that consumes events (consumers usually emit too). */
export const consumerEntities = [OutboxEvent, ProcessedEvent, DeadLetter];

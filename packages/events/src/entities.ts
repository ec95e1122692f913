import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An event of its domain, the record of what the domain announced: written in the same transaction as
 * the change it announces, so the two commit or roll back together. The relay publishes it (published_at)
 * and then checks that every consuming queue has finished its job (delivered_at): Redis is only the
 * transport, and a job it loses is published again from this row.
 */
export const OutboxEvent = defineEntity({
  name: 'OutboxEvent',
  tableName: 'outbox_event',
  schema: '*',
  indexes: [
    // The relay's query: unpublished rows, oldest first.
    { properties: ['publishedAt', 'createdAt'] },
    // The delivery check's query: published rows due for a check, soonest first.
    { properties: ['deliveryCheckAt'], where: 'delivery_check_at is not null' },
    // Re-driving an event re-drives what its handling recorded.
    { properties: ['causedBy'], where: 'caused_by is not null' },
  ],
  properties: {
    id: p.uuid().primary(),
    type: p.string().length(64),
    envelope: p.json<Record<string, unknown>>(),
    createdAt: p.datetime(),
    publishedAt: p.datetime().nullable(),
    /** When the relay next asks the queues whether every consumer's job has finished; null when none is due. */
    deliveryCheckAt: p.datetime().nullable(),
    /** When every consumer's job had finished (completed, or failed into its dead letter). */
    deliveredAt: p.datetime().nullable(),
    /** How often it was re-driven: a re-drive is published under a job id of its own (see jobIdOf). */
    redrives: p.integer().default(0),
    /** The event whose handling recorded this one; null for an event a request or a sweeper recorded. */
    causedBy: p.uuid().nullable(),
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

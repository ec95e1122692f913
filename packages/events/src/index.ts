export {
  EVENT_CONTRACTS,
  EVENT_TYPES,
  InvalidEventError,
  parseEnvelope,
  validateEventData,
  type EventData,
  type EventEnvelope,
  type EventType,
} from './contracts.ts';
export { CONSUMERS, EVENT_ROUTES, eventsFor, queueName, workerName, type Consumer } from './routing.ts';
export {
  consumerEntities,
  DeadLetter,
  OutboxEvent,
  ProcessedEvent,
  producerEntities,
  type DeadLetterRecord,
  type OutboxEventRecord,
} from './entities.ts';
export { createEnvelope, OUTBOX_CHANNEL, recordEvent, type RecordOptions } from './outbox.ts';
export { jobIdOf, redriveEvents, type RedrivenEvent, type RedriveTarget } from './redrive.ts';
export {
  outboxRelayFor,
  startOutboxRelay,
  type OutboxRelay,
  type RelayEnv,
  type RelayOptions,
} from './relay.ts';
export { startEventConsumer, type EventConsumer, type EventHandlers } from './consumer.ts';
export { listDeadLetters, replayDeadLetter } from './dead-letters.ts';
export { eventEnv, type EventEnv } from './env.ts';
export {
  startEventWorker,
  type EventWorker,
  type EventWorkerOptions,
  type WorkerEnv,
} from './worker-process.ts';
export { producerConnection, workerConnection } from './queues.ts';

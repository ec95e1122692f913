import { z } from 'zod';

// The events that connect the domains (DESIGN section 5), one versioned contract each. A producer
// validates an event's data before it writes it to its outbox; a consumer validates it again before it
// acts on it, so a malformed event fails loudly at either end instead of doing half a thing.

// Any 8-4-4-4-12 hex id, as Postgres and the subgraphs accept it (not only RFC 4122 versions).
const id = z.guid();
const money = z.object({ amount: z.number().int().min(0), currency: z.string().regex(/^[A-Z]{3}$/) });
const orderItem = z.object({ productId: id, quantity: z.number().int().min(1), unitPrice: money });

export const EVENT_CONTRACTS = {
  UserRegistered: { version: 1, data: z.object({ userId: id, email: z.email(), name: z.string().min(1) }) },
  OrderPlaced: {
    version: 1,
    data: z.object({ orderId: id, userId: id, items: z.array(orderItem).min(1), total: money }),
  },
  InventoryReserved: { version: 1, data: z.object({ orderId: id, userId: id, total: money }) },
  InventoryRejected: {
    version: 1,
    data: z.object({
      orderId: id,
      userId: id,
      reason: z.string().min(1),
      shortages: z.array(
        z.object({ productId: id, requested: z.number().int(), available: z.number().int() }),
      ),
    }),
  },
  PaymentAuthorized: {
    version: 1,
    data: z.object({ orderId: id, userId: id, paymentId: id, amount: money }),
  },
  PaymentDeclined: {
    version: 1,
    data: z.object({ orderId: id, userId: id, paymentId: id, reason: z.string().min(1) }),
  },
  OrderConfirmed: { version: 1, data: z.object({ orderId: id, userId: id, total: money }) },
  OrderCancelled: {
    version: 1,
    data: z.object({ orderId: id, userId: id, total: money, reason: z.string().min(1) }),
  },
} as const;

export type EventType = keyof typeof EVENT_CONTRACTS;
export const EVENT_TYPES = Object.keys(EVENT_CONTRACTS) as EventType[];
export type EventData<T extends EventType> = z.output<(typeof EVENT_CONTRACTS)[T]['data']>;

/** What travels: the event's identity and type, when it happened, its trace, and its data. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  /** W3C trace context of the request that caused it, so the trace continues in the consumer. */
  traceparent?: string;
  data: EventData<T>;
}

const envelopeShape = z.object({
  id,
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  version: z.number().int().min(1),
  occurredAt: z.iso.datetime(),
  traceparent: z.string().optional(),
  data: z.unknown(),
});

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ');
}

/** Checks data against its contract; throws InvalidEventError naming every problem. */
export function validateEventData<T extends EventType>(type: T, data: unknown): EventData<T> {
  const parsed = EVENT_CONTRACTS[type].data.safeParse(data);
  if (!parsed.success) throw new InvalidEventError(`${type} is invalid: ${describe(parsed.error)}`);
  return parsed.data as EventData<T>;
}

/** Reads an envelope off a queue: the wrapper, its version, then the data against its contract. */
export function parseEnvelope(value: unknown): EventEnvelope {
  const parsed = envelopeShape.safeParse(value);
  if (!parsed.success) throw new InvalidEventError(`not an event envelope: ${describe(parsed.error)}`);
  const envelope = parsed.data;
  const expected = EVENT_CONTRACTS[envelope.type].version;
  if (envelope.version !== expected) {
    throw new InvalidEventError(
      `${envelope.type} version ${envelope.version} is not the supported ${expected}`,
    );
  }
  return { ...envelope, data: validateEventData(envelope.type, envelope.data) } as EventEnvelope;
}

import type { Identity } from '@supergraph/identity';
import type { SubgraphAnswer, SubgraphFetcher } from './subgraph-fetcher.ts';

/** Who a subgraph operation is sent for: the same for every fetch of one client operation. */
export interface Caller {
  identity: Identity | null;
  requestId?: string | undefined;
}

/** One operation's part of a subgraph's answer. */
export interface OperationAnswer {
  /** The HTTP answer that carried it: for a batch, its status and headers are the whole batch's. */
  answer: SubgraphAnswer;
  /** The operation's response body, parsed; throws when the answer holds none for it. */
  body: () => unknown;
}

/** Sends one operation (its JSON text) as a request of its own. */
export async function sendAlone(
  send: SubgraphFetcher['send'],
  operation: string,
  caller: Caller,
): Promise<OperationAnswer> {
  const answer = await send({ body: operation, ...caller });
  return { answer, body: () => parseBody(answer) };
}

interface Queued {
  operation: string;
  resolve: (answer: OperationAnswer) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  caller: Caller;
  queued: Queued[];
}

/**
 * Sends the operations one client operation issues to a subgraph in the same tick as one request: a
 * GraphQL-over-HTTP batch, a JSON array of operations that Apollo Server answers with an array, in
 * order, executing them with one context (so one set of DataLoaders) and one Cache-Control for all.
 * The gateway starts every fetch of a plan's Parallel synchronously (plan-waves.ts makes each wave
 * one), so a microtask later the batch holds all of that wave's fetches to this subgraph. Operations
 * of different client operations never share a request: each carries its caller's identity.
 *
 * One request is one call through the subgraph's breaker (counted once) under one signature: when it
 * fails or times out, every operation it carried fails with its error, and no other. Batches above
 * `maxBytes` are split, so a batch never meets a body limit its operations alone would not.
 */
export function createSubgraphBatcher(options: { send: SubgraphFetcher['send']; maxBytes: number }) {
  const { send, maxBytes } = options;
  const pending = new Map<object, Batch>();

  function flush(key: object): void {
    const batch = pending.get(key);
    pending.delete(key);
    if (!batch) return;
    for (const part of split(batch.queued, maxBytes)) void sendPart(part, batch.caller);
  }

  async function sendPart(part: Queued[], caller: Caller): Promise<void> {
    if (part.length === 1) {
      const [only] = part as [Queued];
      return sendAlone(send, only.operation, caller).then(only.resolve, only.reject);
    }
    let answer: SubgraphAnswer;
    try {
      answer = await send({ body: `[${part.map((queued) => queued.operation).join(',')}]`, ...caller });
    } catch (error) {
      for (const queued of part) queued.reject(error);
      return;
    }
    let bodies: unknown[] | Error | undefined;
    const bodyAt = (index: number) => () => {
      bodies ??= batchBodies(answer, part.length);
      if (bodies instanceof Error) throw bodies;
      return bodies[index];
    };
    part.forEach((queued, index) => queued.resolve({ answer, body: bodyAt(index) }));
  }

  return {
    /**
     * Queues `operation` (its JSON text) with the others `key` (the client operation) sends this
     * subgraph in the same tick, and resolves with its part of the answer.
     */
    submit(key: object, operation: string, caller: Caller): Promise<OperationAnswer> {
      return new Promise((resolve, reject) => {
        let batch = pending.get(key);
        if (!batch) {
          batch = { caller, queued: [] };
          pending.set(key, batch);
          queueMicrotask(() => flush(key));
        }
        batch.queued.push({ operation, resolve, reject });
      });
    },
  };
}

export type SubgraphBatcher = ReturnType<typeof createSubgraphBatcher>;

/** Consecutive runs of operations whose batch stays within `maxBytes`; an operation above it alone. */
function split(queued: Queued[], maxBytes: number): Queued[][] {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most batches are measured without encoding them.
  const units = queued.reduce((sum, item) => sum + item.operation.length + 1, 1);
  if (units * 3 <= maxBytes) return [queued];
  const parts: Queued[][] = [];
  let part: Queued[] = [];
  let bytes = 1;
  for (const item of queued) {
    const size = Buffer.byteLength(item.operation) + 1;
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 1;
    }
    part.push(item);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** A batch's answer as one body per operation, or why it is not one. */
function batchBodies(answer: SubgraphAnswer, count: number): unknown[] | Error {
  let body: unknown;
  try {
    body = parseBody(answer);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
  if (Array.isArray(body) && body.length === count) return body;
  return new Error(`Expected a JSON array of ${count} responses to a batch, but received: ${String(body)}`);
}

/** JSON when the subgraph says it is, its text otherwise (as the gateway's data source reads it). */
export function parseBody(answer: SubgraphAnswer): unknown {
  const type = answer.headers['content-type'];
  const json =
    typeof type === 'string' &&
    (type.startsWith('application/json') || type.startsWith('application/graphql-response+json'));
  return json ? JSON.parse(answer.body) : answer.body;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@supergraph/logging';
import { graphQLErrorBody, refuseEarly } from './early-answer.ts';
import type { Metrics } from './metrics.ts';

export class BodyTooLargeError extends Error {
  /** What had been read when reading stopped: the limit and part of one more chunk. */
  readonly bytesRead: number;

  constructor(limitBytes: number, bytesRead: number) {
    super(`request body over ${limitBytes} bytes`);
    this.bytesRead = bytesRead;
  }
}

/**
 * Reads the whole body as UTF-8, refusing anything over the limit before it is buffered. Past the
 * limit it stops reading and leaves the request paused, not destroyed: destroying it would reset the
 * connection under a client that expects an answer (answerEarly deals with the rest of the body).
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limitBytes) return void chunks.push(chunk);
      stop();
      req.pause();
      reject(new BodyTooLargeError(limitBytes, size));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => onError(new Error('the client closed the connection before the body ended'));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * Reads the body, or answers 413 and returns undefined when it is over the limit; the client's
 * connection keeps working either way (answerEarly).
 */
export async function readBodyOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  limitBytes: number,
): Promise<string | undefined> {
  try {
    return await readBody(req, limitBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    await refuseEarly(req, res, 413, 'BAD_REQUEST', error.message, { bodyBytesRead: error.bytesRead });
    return undefined;
  }
}

/**
 * Parses a JSON body (an empty one is no body), or answers 400 when it is not JSON. The body has been
 * read, so the answer needs none of answerEarly's care.
 */
export function parseJsonOrRefuse(
  res: ServerResponse,
  body: string,
): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    sendGraphQLError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.');
    return { ok: false };
  }
}

/** One header's value; a repeated header gives its first value. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a plausible id, a new one otherwise (it goes into logs). */
export function requestIdOf(req: IncomingMessage): string {
  const given = header(req, 'x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Node's request listener around a handler: times each request by route and status, and answers a
 * generic 500 (the error is logged, never sent) when the handler throws.
 */
export function instrumentedListener(options: {
  logger: Logger;
  metrics: Metrics;
  routeLabel: (path: string) => string;
  handle: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
}): (req: IncomingMessage, res: ServerResponse) => void {
  const { logger, metrics } = options;
  return (req, res) => {
    const stopTimer = metrics.httpRequests.startTimer({ method: req.method ?? 'GET' });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    res.on('finish', () => stopTimer({ route: options.routeLabel(path), status: String(res.statusCode) }));
    options.handle(req, res, path).catch((error: unknown) => {
      logger.error({ err: error, path }, 'request failed');
      // The handler may have failed before reading the body (answerEarly deals with it).
      if (!res.headersSent) void refuseEarly(req, res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.end();
    });
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * A GraphQL-shaped error response for requests refused before they reach Apollo, once their body has
 * been read; refuseEarly when it may not have been.
 */
export function sendGraphQLError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, graphQLErrorBody(code, message));
}

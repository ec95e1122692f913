import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@supergraph/logging';
import type { Metrics } from './metrics.ts';

export class BodyTooLargeError extends Error {}

/** Reads the whole body as UTF-8, refusing anything over the limit before it is buffered. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new BodyTooLargeError(`request body over ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads the body, or answers 413 and returns undefined when it is over the limit. */
export async function readBodyOrRefuse(
  req: IncomingMessage,
  res: ServerResponse,
  limitBytes: number,
): Promise<string | undefined> {
  try {
    return await readBody(req, limitBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendGraphQLError(res, 413, 'BAD_REQUEST', error.message);
    return undefined;
  }
}

/** Parses a JSON body (an empty one is no body), or answers 400 when it is not JSON. */
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
      if (!res.headersSent) sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
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

/** A GraphQL-shaped error response for requests refused before they reach Apollo. */
export function sendGraphQLError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

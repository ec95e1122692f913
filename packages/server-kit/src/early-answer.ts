import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * How much of a request's body the server reads and throws away after deciding to answer without it,
 * so that the connection can carry the client's next request.
 *
 * The rest of an unread body is still on the connection, in front of the next request: the server
 * must read it or close the connection. Closing costs more than a new connection: a client that is
 * still sending sees a reset instead of the answer, and a proxy pooling connections to us (an ingress)
 * turns that reset into a 502. Reading keeps nothing in memory and costs a few milliseconds of CPU per
 * MiB (3.4 ms on the shared 2-core test machine), so 4 MiB covers a client that misjudged the body
 * limit by far (40 times the router's 100 KB, 4 times a subgraph's 1 MiB) for the price of a few
 * ordinary requests. A bigger body is no mistake worth a connection, and the bound keeps a client from
 * making the server read without end (time is bounded too, by Node's requestTimeout). A constant, not
 * a multiple of the limit: the cost of reading does not grow with the limit. Go's net/http makes the
 * same trade at 256 KiB (maxPostHandlerReadBytes); Node's own way with an unread body (req._dump)
 * reads all of it, however large.
 */
export const DISCARD_LIMIT_BYTES = 4 * 1024 * 1024;

export interface EarlyAnswerOptions {
  /** Bytes of the body read before the answer was decided (readBody's, when it stopped at the limit). */
  bodyBytesRead?: number;
}

/**
 * Answers with JSON whether or not the request's body has been read, and keeps the connection working
 * for the client's next request:
 * - a body that has all arrived, or that ends within DISCARD_LIMIT_BYTES, is read and dropped, then
 *   the answer goes out with keep-alive. Answering only once the client has sent everything matters:
 *   a client that gets its answer while still sending (undici, so Node's fetch) drops the connection;
 * - a body declared longer than that gets the answer at once, with `Connection: close` so that the
 *   client can stop sending, and the connection closes once the bound has been read: closing a socket
 *   with unread data resets it, and reading first gives the client time to read the answer;
 * - a body of unknown length (chunked) that passes the bound is answered with `Connection: close` and
 *   closed right away: the bound has been read, and no more will be.
 * Resolves once the answer has been sent (or the client has gone); it never rejects.
 */
export function answerEarly(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  options: EarlyAnswerOptions = {},
): Promise<void> {
  const text = JSON.stringify(body);
  if (req.complete || req.destroyed) {
    // Whatever is left has arrived: let it flow out, or the socket may stay paused behind it.
    req.resume();
    writeJson(res, status, text, { close: false }).end(text);
    return Promise.resolve();
  }
  const remaining = declaredLength(req) - (options.bodyBytesRead ?? 0);
  if (remaining > DISCARD_LIMIT_BYTES) {
    // The whole answer goes out now, but the response ends only once the bound has been read: Node
    // closes the socket of a `Connection: close` response as soon as it ends.
    writeJson(res, status, text, { close: true }).write(text);
    return discard(req, DISCARD_LIMIT_BYTES).then(() => void res.end());
  }
  return discard(req, DISCARD_LIMIT_BYTES).then((outcome) => {
    if (outcome === 'aborted') return void res.destroy();
    writeJson(res, status, text, { close: outcome === 'over-limit' }).end(text);
  });
}

/** A GraphQL-shaped refusal (`{ errors: [{ message, extensions: { code } }] }`) sent by answerEarly. */
export function refuseEarly(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  options: EarlyAnswerOptions = {},
): Promise<void> {
  return answerEarly(req, res, status, graphQLErrorBody(code, message), options);
}

/** The body of every error answer the servers write themselves, as Apollo writes its own. */
export function graphQLErrorBody(code: string, message: string) {
  return { errors: [{ message, extensions: { code } }] };
}

/** The body's declared length; NaN when it has none (chunked), so that no comparison holds. */
function declaredLength(req: IncomingMessage): number {
  const value = req.headers['content-length'];
  return value === undefined ? Number.NaN : Number(value);
}

function writeJson(
  res: ServerResponse,
  status: number,
  text: string,
  { close }: { close: boolean },
): ServerResponse {
  return res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
}

type DiscardOutcome = 'ended' | 'over-limit' | 'aborted';

/** Reads and drops the body until it ends, `limit` more bytes have gone, or the client has gone. */
function discard(req: IncomingMessage, limit: number): Promise<DiscardOutcome> {
  return new Promise((resolve) => {
    let discarded = 0;
    const settle = (outcome: DiscardOutcome) => {
      req.off('data', onData).off('end', onEnd).off('error', onAborted).off('close', onAborted);
      // Stops reading the socket: what the client sends past the bound stays unread.
      if (outcome === 'over-limit') req.pause();
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limit) settle('over-limit');
    };
    const onEnd = () => settle('ended');
    const onAborted = () => settle('aborted');
    req.on('data', onData).on('end', onEnd).on('error', onAborted).on('close', onAborted);
    req.resume();
  });
}

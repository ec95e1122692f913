// A lean subgraph's HTTP server: POST /graphql (one operation or a batch), GET /ready, and GET /counts,
// the requests it has answered, which the bench reads to count subgraph requests per operation. No
// plugins, no logging per request, no checks of the headers: the router's signed headers arrive and are
// ignored, since nothing here is private.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createExecutor } from './execute.ts';

/** Far above any `_entities` call of the scenario (a few KB); a bigger body is refused unread. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/** GraphQL requests answered so far: a batch counts as one request, one batch, and its size in operations. */
export interface LeanCounts {
  requests: number;
  operations: number;
  batches: number;
}

/** The body as text, or null as soon as it grows past the limit (the rest is never read). */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      resolve(null);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const refusal = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

export function createLeanServer(schema: GraphQLSchema): { server: Server; counts: () => LeanCounts } {
  const executor = createExecutor(schema);
  const counts: LeanCounts = { requests: 0, operations: 0, batches: 0 };

  async function graphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, refusal('send operations with POST', 'METHOD_NOT_ALLOWED'));
    }
    const text = await readBody(req);
    if (text === null) {
      // The rest of the body is left unread, so the connection cannot carry another request.
      res.setHeader('connection', 'close');
      return send(res, 413, refusal('the body is too large', 'PAYLOAD_TOO_LARGE'));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return send(res, 400, refusal('the body is not JSON', 'BAD_REQUEST'));
    }
    counts.requests += 1;
    counts.operations += Array.isArray(body) ? body.length : 1;
    if (Array.isArray(body)) counts.batches += 1;
    const { status, payload } = await executor.answer(body);
    send(res, status, payload);
  }

  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/graphql') {
      graphql(req, res).catch(() => {
        if (!res.headersSent) send(res, 500, refusal('internal error', 'INTERNAL_SERVER_ERROR'));
        else res.destroy();
      });
    } else if (req.method === 'GET' && path === '/counts') send(res, 200, counts);
    else if (req.method === 'GET' && path === '/ready') send(res, 200, { ok: true });
    else send(res, 404, refusal('not found', 'NOT_FOUND'));
  });
  return { server, counts: () => ({ ...counts }) };
}

import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

export interface KeepAliveAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; every answer these tests look at is JSON. */
  body: unknown;
  /** The connection the answer came on: the same object while the client keeps using it. */
  socket: Socket;
  /** Whether the request went on a connection an earlier request had used (Node's reusedSocket). */
  reusedSocket: boolean;
}

export interface KeepAliveRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface KeepAliveClient {
  send: (url: string, init?: KeepAliveRequest) => Promise<KeepAliveAnswer>;
  close: () => void;
}

/**
 * A client that sends every request on one kept-alive connection for as long as the server keeps it, as
 * a browser or Node's fetch does: a server that answers and then breaks the connection makes `send`
 * reject (ECONNRESET), on that request or on the next one.
 */
export function keepAliveClient(): KeepAliveClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    send: (url, init = {}) =>
      new Promise((resolve, reject) => {
        let answered = false;
        // A declared length, as fetch sends (without one Node sends a GET's body unframed), unless the
        // caller asks for a chunked body: one of unknown length.
        const headers: Record<string, string> = { ...init.headers };
        if (!headers['transfer-encoding'])
          headers['content-length'] = String(Buffer.byteLength(init.body ?? ''));
        const req = request(url, { method: init.method ?? 'POST', headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            answered = true;
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
              socket: res.socket,
              reusedSocket: req.reusedSocket,
            });
          });
        });
        // Once the whole answer is in, an error sending the rest of the body is the server closing a
        // connection it said it would close (`Connection: close`): not a failure of this request.
        req.on('error', (error) => {
          if (!answered) reject(error);
        });
        req.end(init.body);
      }),
    close: () => agent.destroy(),
  };
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The schema of the subgraph below: one field. */
export const HELLO_TYPE_DEFS = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query {
    hello: String
  }
`;

export interface TraceparentSubgraph {
  url: string;
  /** The `traceparent` header of each call, in order (undefined: the call had none). */
  received: Array<string | undefined>;
  stop: () => Promise<void>;
}

/**
 * A bare HTTP server standing in for a subgraph (it answers `{ hello }` and checks no signature), to see
 * the trace context the router passes to a subgraph, whatever the router's own telemetry records.
 */
export async function startTraceparentSubgraph(): Promise<TraceparentSubgraph> {
  const received: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    const traceparent = req.headers.traceparent;
    received.push(Array.isArray(traceparent) ? traceparent.join(',') : traceparent);
    req.resume();
    req.on('end', () =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"hello":"hi"}}'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    received,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

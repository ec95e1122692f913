import { createServer } from 'node:net';

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * An offset at which every one of `ports` is free, between 10000 and 28000 (multiples of 100): above
 * the development ports, and below Linux's ephemeral range (from 32768), where any outgoing
 * connection could take one of them first.
 */
export async function freePortOffset(ports: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const offset = 10_000 + Math.floor(Math.random() * 181) * 100;
    const free = await Promise.all(ports.map((port) => portIsFree(port + offset)));
    if (free.every(Boolean)) return offset;
  }
  throw new Error(`no offset between 10000 and 28000 leaves ports ${ports.join(', ')} all free`);
}

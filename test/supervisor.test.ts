import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { withDatabaseName } from '@supergraph/db';
import { eventually, TEST_ADMIN_DATABASE_URL } from '@supergraph/testing';
import { launchNpmStart, type NpmStart } from './support/npm-start.ts';
import { routerClient, type RouterClient } from './support/router-client.ts';
import { runProcess } from './support/run-process.ts';
import { SEED, SEED_PRODUCT_IDS } from './support/seed-ids.ts';
import { isRunning } from './support/process-alive.ts';

// `npm start` as a user runs it (node scripts/start.ts), its processes killed with SIGKILL as a crash
// or the OOM killer would: the supervisor restarts the one that died and leaves the rest serving. One
// supergraph for the file, started once (it takes a while), in the order of the `it`s: they build on
// each other's state, as a user's session would.

/** The seeded customer (README), whose seeded past order has an authorized payment. */
const CUSTOMER = { email: 'customer@shop.example', password: 'customer-password' };
const MY_ORDERS = 'query { me { orders { edges { node { id payment { status } } } } } }';

interface MyOrders {
  me: { orders: { edges: Array<{ node: { id: string; payment: { status: string } | null } }> } };
}

/** A sample of the router's /metrics, by name and labels (0 when absent). */
async function routerMetric(start: NpmStart, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(new URL('/metrics', start.routerUrl))).text();
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (Object.entries(labels).every(([key, value]) => match[2]!.includes(`${key}="${value}"`))) {
      return Number(match[3]);
    }
  }
  return 0;
}

describe('npm start, once the supergraph is up', () => {
  let start: NpmStart;
  let client: RouterClient;
  let token: string;
  let admin: pg.Client;

  beforeAll(async () => {
    // Saga retries and stalled jobs come back quickly, so a killed worker's jobs are retried soon.
    start = await launchNpmStart({ EVENT_LOCK_MS: '2000', OUTBOX_POLL_MS: '200', EVENT_BACKOFF_MS: '100' });
    await start.up();
    client = routerClient(start.routerUrl);
    const login = await client<{ login: { token: string } }>(
      'mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
      { variables: CUSTOMER },
    );
    token = login.data!.login.token;
    admin = new pg.Client({ connectionString: withDatabaseName(TEST_ADMIN_DATABASE_URL, start.database) });
    await admin.connect();
  }, 300_000);

  afterAll(async () => {
    await admin?.end();
    await start?.cleanUp();
  }, 60_000);

  it('answers without payments while it is down, failing fast once the breaker is open, and serves it again once restarted', async () => {
    const before = await client<MyOrders>(MY_ORDERS, { token });
    expect(before.errors).toBeUndefined();
    expect(before.data!.me.orders.edges).toEqual([
      { node: { id: SEED.orderId, payment: { status: 'AUTHORIZED' } } },
    ]);
    const pids = start.pids();
    const paymentsPid = pids.get('payments')!;
    const from = start.log.length;

    // Held down until the answers below are seen: its role may not connect to this database, so each
    // restart fails to start (and is backed off in turn) until the grant comes back.
    await admin.query(`revoke connect on database "${start.database}" from payments`);
    process.kill(paymentsPid, 'SIGKILL');
    await start.waitForLog(/^payments exited \(signal SIGKILL\); restart 1 in 1 s$/, { from });

    const partial = {
      status: 200,
      data: { me: { orders: { edges: [{ node: { id: SEED.orderId, payment: null } }] } } },
      errors: [
        {
          message: 'A service this request needs is unavailable; try again shortly.',
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        },
      ],
    };
    // Each call that fails counts against the router's breaker for payments until it opens; from then
    // on the router refuses the call without making it (outcome "rejected" in its metrics).
    const rejected = { subgraph: 'payments', outcome: 'rejected' };
    await eventually(async () => {
      const refusedBefore = await routerMetric(start, 'subgraph_fetch_duration_seconds_count', rejected);
      expect(await client(MY_ORDERS, { token })).toEqual(partial);
      const refused = await routerMetric(start, 'subgraph_fetch_duration_seconds_count', rejected);
      return refused > refusedBefore ? refused : undefined;
    }, 60_000);

    // A restart that fails to start is backed off in turn: 1 s, then 2 s.
    await start.waitForLog(/^payments exited \(code 1\); restart 2 in 2 s$/, { from, ms: 120_000 });
    await admin.query(`grant connect on database "${start.database}" to payments`);
    const [, newPid] = await start.waitForLog(/^payments ready again \(pid (\d+)\)$/, { from, ms: 120_000 });
    expect(Number(newPid)).not.toBe(paymentsPid);
    expect(start.log.slice(from)).toContain(`payments started (pid ${newPid})`);

    // Once the breaker's reset timeout lets a probe through, payments is served again.
    const after = await eventually(async () => {
      const result = await client<MyOrders>(MY_ORDERS, { token });
      return result.errors === undefined ? result : undefined;
    }, 60_000);
    expect(after.data!.me.orders.edges).toEqual([
      { node: { id: SEED.orderId, payment: { status: 'AUTHORIZED' } } },
    ]);

    // Nothing else was restarted: the same processes, still running.
    const others = [...pids].filter(([name]) => name !== 'payments');
    expect(others.length).toBe(10);
    for (const [name, pid] of others) {
      expect([name, start.pids().get(name)]).toEqual([name, pid]);
      expect([name, isRunning(pid)]).toEqual([name, true]);
    }
    expect(
      start.log.slice(from).filter((line) => / exited /.test(line) && !line.startsWith('payments ')),
    ).toEqual([]);
  }, 240_000);

  it('restarts a worker killed during a burst of orders, and every order is still confirmed', async () => {
    const pids = start.pids();
    const workerPid = pids.get('inventory-worker')!;
    const from = start.log.length;
    const place = async () => {
      const result = await client<{ placeOrder: { id: string; status: string } }>(
        'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }',
        {
          variables: { input: { items: [{ productId: SEED_PRODUCT_IDS.enamelCampMug, quantity: 1 }] } },
          token,
        },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data!.placeOrder.status).toBe('PENDING');
      return result.data!.placeOrder.id;
    };
    const statusOf = async (id: string) => {
      const result = await client<{ order: { status: string } }>(
        'query ($id: ID!) { order(id: $id) { status } }',
        {
          variables: { id },
          token,
        },
      );
      return result.data!.order.status;
    };

    // Killed once the worker has taken on the burst (the first order is through), with the rest in flight.
    const burst = await Promise.all(Array.from({ length: 8 }, place));
    await eventually(async () => {
      const statuses = await Promise.all(burst.map(statusOf));
      return statuses.some((status) => status !== 'PENDING') ? true : undefined;
    }, 60_000);
    process.kill(workerPid, 'SIGKILL');
    const ids = [...burst, ...(await Promise.all(Array.from({ length: 2 }, place)))];
    await start.waitForLog(/^inventory-worker exited \(signal SIGKILL\); restart 1 in 1 s$/, { from });
    const [, newPid] = await start.waitForLog(/^inventory-worker ready again \(pid (\d+)\)$/, { from });
    expect(Number(newPid)).not.toBe(workerPid);

    const statuses = await eventually(async () => {
      const found = await Promise.all(ids.map(statusOf));
      return found.every((status) => status !== 'PENDING') ? found : undefined;
    }, 120_000);
    expect(statuses).toEqual(ids.map(() => 'CONFIRMED'));

    for (const [name, pid] of [...pids].filter(([name]) => name !== 'inventory-worker')) {
      expect([name, start.pids().get(name)]).toEqual([name, pid]);
      expect([name, isRunning(pid)]).toEqual([name, true]);
    }
  }, 240_000);

  it('stops everything on SIGINT, the router first, restarting nothing, and exits 0', async () => {
    const pids = start.pids();
    const from = start.log.length;
    process.kill(start.pid, 'SIGINT');
    expect(await start.exited).toEqual({ code: 0, signal: null });

    const after = start.log.slice(from);
    expect(after.filter((line) => / started | restart /.test(line))).toEqual([]);
    const lines = after.filter((line) => /^stopping |stopped \(|did not stop/.test(line));
    const others = [...pids.keys()].filter((name) => name !== 'router');
    expect(lines[0]).toBe('stopping router');
    expect(lines[1]).toBe('router stopped (code 0)');
    expect(lines[2]).toBe(`stopping ${others.join(', ')}`);
    expect(lines.slice(3).sort()).toEqual(others.map((name) => `${name} stopped (code 0)`).sort());
    for (const [name, pid] of pids) expect([name, isRunning(pid)]).toEqual([name, false]);
  }, 120_000);
});

describe('npm start, when a process cannot start', () => {
  let start: NpmStart;

  afterAll(async () => {
    await start?.cleanUp();
  }, 60_000);

  it('stops everything with its one-line error, restarting nothing, and exits 1', async () => {
    start = await launchNpmStart({ PAYMENT_DECLINE_ABOVE: 'lots' });
    expect(await start.exited).toEqual({ code: 1, signal: null });
    expect(start.output).toContainEqual(
      expect.stringMatching(
        /^payments(-worker)? +\| payments(-worker)?: cannot start: invalid configuration: PAYMENT_DECLINE_ABOVE: /,
      ),
    );
    const failure = start.log.filter((line) => line.includes('stopping everything'));
    expect(failure).toEqual([
      expect.stringMatching(
        /^payments(-worker)? exited \(code 1\) before it was ready; stopping everything$/,
      ),
    ]);
    expect(start.log.filter((line) => line.includes('restart'))).toEqual([]);
    for (const [name, pid] of start.pids()) expect([name, isRunning(pid)]).toEqual([name, false]);
  }, 240_000);
});

describe('npm start, misconfigured', () => {
  it('lists every bad variable on one line and exits 1', async () => {
    const { code, stderr } = await runProcess('scripts/start.ts', {
      PORT_OFFSET: 'abc',
      ROUTER_PORT: '70000',
      DATABASE_NAME: 'My-shop',
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'start: cannot start: invalid configuration: PORT_OFFSET: must be a whole number from 0 to 61429; ' +
        'ROUTER_PORT: must be a port number from 1 to 65535; ' +
        'DATABASE_NAME: must be a lower-case Postgres identifier, e.g. supergraph_2\n',
    );
  });

  it('refuses ports already in use, naming them, before it starts anything', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // Shifted so that payments' port is the one taken.
      const { code, stderr } = await runProcess('scripts/start.ts', { PORT_OFFSET: String(port - 4005) });
      expect(code).toBe(1);
      expect(stderr).toMatch(
        /^start: port [\d, ]+ already in use \(another npm start\?\); stop it, or set PORT_OFFSET/,
      );
      expect(stderr.split(': port ')[1]!.split(' already')[0]!.split(', ')).toContain(String(port));
      expect(stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createLogger } from '@supergraph/logging';
import { transportFromEnv } from '../src/transport-from-env.ts';
import { loadEnv } from '../src/env.ts';
import { CUSTOMER, recordingTransport, startNotifications } from './notifications-fixture.ts';
import { eventually, startSmtpServer, type TestSmtpServer } from './smtp-server-fixture.ts';

const REQUIRED = {
  DATABASE_URL: 'postgres://notifications:notifications@127.0.0.1:5432/supergraph',
  INTERNAL_SECRET: 'an-internal-secret-of-32-characters-or-more',
};

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp?.stop();
});

describe('startNotificationsSubgraph', () => {
  it('serves the seeded notifications and closes the transport when it stops', async () => {
    const transport = recordingTransport();
    const subgraph = await startNotifications({ seed: true, transport });
    try {
      const result = await subgraph.entities<{ notifications: Array<{ kind: string }> }>(
        [{ __typename: 'User', id: CUSTOMER.userId }],
        '... on User { notifications { kind } }',
        { as: CUSTOMER },
      );
      expect(result.data!._entities).toEqual([
        { notifications: [{ kind: 'ORDER_CONFIRMED' }, { kind: 'WELCOME' }] },
      ]);
      expect(transport.closed).toBe(false);
    } finally {
      await subgraph.stop();
    }
    expect(transport.closed).toBe(true);
  });

  it('starts with the SMTP transport that NOTIFICATION_TRANSPORT names, and stops cleanly', async () => {
    const subgraph = await startNotifications({
      seed: false,
      env: { NOTIFICATION_TRANSPORT: 'smtp', SMTP_URL: smtp.url },
    });
    await subgraph.stop();
  });
});

describe('transportFromEnv', () => {
  it('builds the log transport by default, writing to the given logger', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      name: 'notifications',
      level: 'info',
      destination: { write: (line) => lines.push(line) },
    });
    const transport = transportFromEnv(loadEnv(REQUIRED), logger);
    await transport.send({ to: 'a@shop.example', subject: 'Hi', text: 'Hello', messageId: 'm-1' });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        component: 'notification-transport',
        notification: { messageId: 'm-1', to: 'a@shop.example', subject: 'Hi', text: 'Hello' },
      }),
    ]);
  });

  it('builds the SMTP transport with SMTP_FROM as the sender', async () => {
    const logger = createLogger({ name: 'notifications', level: 'silent' });
    const transport = transportFromEnv(
      loadEnv({
        ...REQUIRED,
        NOTIFICATION_TRANSPORT: 'smtp',
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Shop Orders <orders@shop.example>',
      }),
      logger,
    );
    try {
      await transport.send({ to: 'b@shop.example', subject: 'Hi', text: 'Hello', messageId: 'm-2' });
    } finally {
      await transport.close();
    }
    await eventually(() => smtp.received.length === 1);
    expect(smtp.received[0]!.envelope).toEqual({
      mailFrom: 'orders@shop.example',
      rcptTo: ['b@shop.example'],
    });
    expect(smtp.received[0]!.headers).toMatchObject({
      from: 'Shop Orders <orders@shop.example>',
      'message-id': '<m-2@supergraph.shop>',
    });
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createTestSchema, testEnv } from '@supergraph/testing';
import { loadEnv } from '../src/env.ts';
import { notificationIdFor } from '../src/notification-id.ts';
import { startNotificationsWorker } from '../src/worker.ts';
import { deliver, envelope, notificationsQueue, settled } from './events-fixture.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp-server-fixture.ts';

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp?.stop();
});

describe('startNotificationsWorker', () => {
  it('sends through the SMTP transport NOTIFICATION_TRANSPORT names, answers /ready, and stops cleanly', async () => {
    const schema = await createTestSchema('notifications');
    const queue = notificationsQueue(schema.name);
    const userId = crypto.randomUUID();
    const event = envelope('UserRegistered', { userId, email: 'wendy@shop.example', name: 'Wendy' });
    try {
      const worker = await startNotificationsWorker(
        loadEnv({ ...testEnv(schema), NOTIFICATION_TRANSPORT: 'smtp', SMTP_URL: smtp.url }),
      );
      try {
        expect((await fetch(`${worker.url}/ready`)).status).toBe(200);
        await deliver(queue, event);
        expect((await settled(queue, event.id)).returnvalue).toBe('handled');
      } finally {
        await worker.stop();
      }
    } finally {
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
      await schema.drop();
    }

    // The transport accepted it before the job completed, so the server has it by now.
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.envelope.rcptTo).toEqual(['wendy@shop.example']);
    expect(smtp.received[0]!.headers).toMatchObject({
      subject: 'Welcome to Supergraph Shop, Wendy',
      'message-id': `<${notificationIdFor(event.id, userId)}@supergraph.shop>`,
    });
  });
});

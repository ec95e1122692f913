import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { welcome } from '../src/messages.ts';
import { Notification } from '../src/notification.entity.ts';
import { createNotificationService } from '../src/notification.service.ts';
import { createSmtpTransport } from '../src/smtp-transport.ts';
import { CUSTOMER, openTestDatabase } from './notifications-fixture.ts';
import { eventually, startSmtpServer, type TestSmtpServer } from './smtp-server-fixture.ts';

const FROM = 'Supergraph Shop <no-reply@shop.example>';

let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp?.stop();
});

beforeEach(() => {
  smtp.received.length = 0;
  smtp.rejectRecipients = 0;
});

describe('the SMTP transport', () => {
  it('delivers the message with its envelope, subject, text and a Message-ID made of the notification id', async () => {
    const transport = createSmtpTransport({ url: smtp.url, from: FROM });
    try {
      await transport.send({
        to: 'customer@shop.example',
        subject: 'Welcome to Supergraph Shop, Casey Customer',
        text: 'Hi Casey Customer,\n\nyour account is ready.',
        messageId: '00000000-0000-4000-8006-000000000001',
      });
    } finally {
      await transport.close();
    }

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.envelope).toEqual({ mailFrom: 'no-reply@shop.example', rcptTo: ['customer@shop.example'] });
    expect(mail!.headers).toMatchObject({
      from: 'Supergraph Shop <no-reply@shop.example>',
      to: 'customer@shop.example',
      subject: 'Welcome to Supergraph Shop, Casey Customer',
      'message-id': '<00000000-0000-4000-8006-000000000001@supergraph.shop>',
    });
    expect(mail!.headers['content-type']).toMatch(/^text\/plain; charset=utf-8/);
    expect(mail!.text).toBe('Hi Casey Customer,\n\nyour account is ready.');
  });

  it('keeps text beyond ASCII intact', async () => {
    const transport = createSmtpTransport({ url: smtp.url, from: FROM });
    try {
      await transport.send({
        to: 'zoe@shop.example',
        subject: 'Your order',
        text: 'Grüße, Zoë: 41,70 € — danke!',
        messageId: crypto.randomUUID(),
      });
    } finally {
      await transport.close();
    }
    expect(smtp.received[0]!.text).toBe('Grüße, Zoë: 41,70 € — danke!');
  });

  it('rejects when the server refuses the recipient', async () => {
    smtp.rejectRecipients = 1;
    const transport = createSmtpTransport({ url: smtp.url, from: FROM });
    try {
      await expect(
        transport.send({
          to: 'gone@shop.example',
          subject: 'Hi',
          text: 'Hello',
          messageId: crypto.randomUUID(),
        }),
      ).rejects.toThrow(/550 mailbox gone@shop.example unavailable/);
    } finally {
      await transport.close();
    }
    expect(smtp.received).toHaveLength(0);
  });

  it('sends several messages over its pool and closes the connections on close', async () => {
    const closedBefore = smtp.closedConnections();
    const transport = createSmtpTransport({ url: smtp.url, from: FROM });
    await Promise.all(
      Array.from({ length: 3 }, (_, index) =>
        transport.send({
          to: `user${index}@shop.example`,
          subject: `Message ${index}`,
          text: 'Hello',
          messageId: crypto.randomUUID(),
        }),
      ),
    );
    expect(smtp.received.map((mail) => mail.headers.subject).sort()).toEqual([
      'Message 0',
      'Message 1',
      'Message 2',
    ]);

    await transport.close();
    await eventually(() => smtp.closedConnections() > closedBefore);
  });

  it('rejects when nothing listens at SMTP_URL', async () => {
    const transport = createSmtpTransport({ url: 'smtp://127.0.0.1:1', from: FROM });
    try {
      await expect(
        transport.send({
          to: 'a@shop.example',
          subject: 'Hi',
          text: 'Hello',
          messageId: crypto.randomUUID(),
        }),
      ).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await transport.close();
    }
  });
});

describe('notify through a real SMTP server', () => {
  let orm: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ orm, close } = await openTestDatabase());
  });

  afterAll(async () => {
    await close?.();
  });

  it('delivers once after a refused first attempt, with one Message-ID for both attempts', async () => {
    const transport = createSmtpTransport({ url: smtp.url, from: FROM });
    const service = createNotificationService(orm.em.fork(), transport);
    const request = {
      eventId: crypto.randomUUID(),
      userId: CUSTOMER.userId,
      email: 'customer@shop.example',
      kind: 'WELCOME' as const,
      ...welcome({ name: 'Casey Customer' }),
    };
    try {
      smtp.rejectRecipients = 1;
      await expect(service.notify(request)).rejects.toThrow(/550/);
      const failed = await orm.em.fork().findOneOrFail(Notification, { eventId: request.eventId });
      expect(failed).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(failed.lastError).toMatch(/550 mailbox customer@shop.example unavailable/);

      const sent = await service.notify(request);
      await service.notify(request);

      expect(sent).toMatchObject({ id: failed.id, status: 'SENT', attempts: 2 });
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]!.headers).toMatchObject({
        subject: 'Welcome to Supergraph Shop, Casey Customer',
        'message-id': `<${failed.id}@supergraph.shop>`,
      });
      expect(smtp.received[0]!.text).toBe(request.body);
    } finally {
      await transport.close();
    }
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { DomainError } from '@supergraph/errors';
import { welcome } from '../src/messages.ts';
import { Notification } from '../src/notification.entity.ts';
import { createNotificationService, type NotifyInput } from '../src/notification.service.ts';
import { CUSTOMER, openTestDatabase, recordingTransport } from './notifications-fixture.ts';

// What notify accepts: the events worker passes data that crossed a queue, so notify checks it again.

let orm: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, close } = await openTestDatabase());
});

afterAll(async () => {
  await close?.();
});

function input(overrides: Partial<NotifyInput> = {}): NotifyInput {
  return {
    eventId: crypto.randomUUID(),
    userId: CUSTOMER.userId,
    email: 'customer@shop.example',
    kind: 'WELCOME',
    ...welcome({ name: 'Casey Customer' }),
    ...overrides,
  };
}

function rowsOf(eventId: string) {
  return orm.em.fork().find(Notification, { eventId });
}

describe('notify input', () => {
  async function refusal(overrides: Partial<NotifyInput>) {
    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport);
    const request = input(overrides);
    const error = await service.notify(request).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(transport.calls).toHaveLength(0);
    if (typeof request.eventId === 'string' && /^[0-9a-f-]{36}$/i.test(request.eventId)) {
      expect(await rowsOf(request.eventId.toLowerCase())).toHaveLength(0);
    }
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }

  it.each([
    [
      'a malformed email',
      { email: 'customer.shop.example' },
      ['email'],
      'email must be a valid email address',
    ],
    [
      'an email with spaces',
      { email: 'casey customer@shop.example' },
      ['email'],
      'email must be a valid email address',
    ],
    ['a blank subject', { subject: '   ' }, ['subject'], 'subject must not be blank'],
    [
      'a subject on two lines',
      { subject: 'Hello\r\nBcc: everyone@example.com' },
      ['subject'],
      'subject must be one line',
    ],
    [
      'a subject of 201 characters',
      { subject: 's'.repeat(201) },
      ['subject'],
      'subject must be at most 200 characters',
    ],
    ['an empty body', { body: '' }, ['body'], 'body must not be blank'],
    ['a blank body', { body: '\n  \n' }, ['body'], 'body must not be blank'],
    ['an event id that is no uuid', { eventId: 'event-1' }, ['eventId'], 'eventId must be a UUID'],
    ['a user id that is no uuid', { userId: '42' }, ['userId'], 'userId must be a UUID'],
    [
      'an unknown kind',
      { kind: 'NEWSLETTER' as never },
      ['kind'],
      'kind must be one of WELCOME, ORDER_CONFIRMED, ORDER_CANCELLED',
    ],
  ])(
    'refuses %s with BAD_USER_INPUT naming the field, and records nothing',
    async (_, overrides, fields, message) => {
      const error = await refusal(overrides);
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.message).toBe(message);
      expect(error.details).toEqual({ fields });
    },
  );

  it('names every wrong field at once', async () => {
    const error = await refusal({ email: 'nobody', subject: '', body: ' ' });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ fields: ['email', 'subject', 'body'] });
    expect(error.message).toBe(
      'email must be a valid email address; subject must not be blank; body must not be blank',
    );
  });

  it('trims the address and the subject', async () => {
    const transport = recordingTransport();
    const service = createNotificationService(orm.em.fork(), transport);
    const notification = await service.notify(
      input({ email: '  customer@shop.example ', subject: ' Hello ' }),
    );
    expect(notification).toMatchObject({ recipientEmail: 'customer@shop.example', subject: 'Hello' });
    expect(transport.sent[0]).toMatchObject({
      to: 'customer@shop.example',
      subject: 'Hello',
    });
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Database } from '@supergraph/db';
import { createRecipientDirectory, UnknownRecipientError } from '../src/recipient-directory.ts';
import { Recipient } from '../src/recipient.entity.ts';
import { openTestDatabase } from './notifications-fixture.ts';

let orm: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ orm, close } = await openTestDatabase());
});

afterAll(async () => {
  await close?.();
});

const directory = () => createRecipientDirectory(orm.em.fork());
const at = (iso: string) => new Date(iso);

describe('the recipient directory', () => {
  it('records a user and finds them by id, in any case', async () => {
    const userId = crypto.randomUUID();
    await directory().record({
      userId,
      email: 'rita@shop.example',
      name: 'Rita',
      at: at('2026-11-01T10:00:00Z'),
    });

    const found = await directory().require(userId.toUpperCase());
    expect({ ...found }).toEqual({
      userId,
      email: 'rita@shop.example',
      name: 'Rita',
      updatedAt: at('2026-11-01T10:00:00Z'),
    });
  });

  it('takes newer news and ignores older news about the same user', async () => {
    const userId = crypto.randomUUID();
    await directory().record({
      userId,
      email: 'first@shop.example',
      name: 'First',
      at: at('2026-11-01T10:00:00Z'),
    });
    await directory().record({
      userId,
      email: 'newer@shop.example',
      name: 'Newer',
      at: at('2026-11-02T10:00:00Z'),
    });
    await directory().record({
      userId,
      email: 'older@shop.example',
      name: 'Older',
      at: at('2026-11-01T12:00:00Z'),
    });

    expect(await orm.em.fork().find(Recipient, { userId })).toEqual([
      expect.objectContaining({
        email: 'newer@shop.example',
        name: 'Newer',
        updatedAt: at('2026-11-02T10:00:00Z'),
      }),
    ]);
  });

  it('refuses an unknown user with an error the worker retries', async () => {
    const userId = crypto.randomUUID();
    const lookup = directory().require(userId);
    await expect(lookup).rejects.toBeInstanceOf(UnknownRecipientError);
    await expect(lookup).rejects.toThrow(
      `recipient ${userId} is unknown: no UserRegistered has arrived for them yet`,
    );
  });
});

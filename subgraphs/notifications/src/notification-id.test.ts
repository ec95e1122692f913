import { describe, it, expect } from '@jest/globals';
import { notificationIdFor } from './notification-id.ts';

const EVENT = '00000000-0000-4000-8007-000000000001';
const USER = '00000000-0000-4000-8000-000000000002';

describe('notificationIdFor', () => {
  it('is the version 5 UUID of the event and the user, as any RFC 9562 implementation computes it', () => {
    // Python: uuid.uuid5(uuid.UUID('6f1d7c2e-4b9a-4e0f-8d3c-5a7b9e1f2a3c'), f'{event}/{user}')
    expect(notificationIdFor(EVENT, USER)).toBe('3600af66-d28d-51f6-89dd-6d4c8204bc13');
  });

  it('is the same for the same pair in any case, and differs for another user or event', () => {
    expect(notificationIdFor(EVENT.toUpperCase(), USER.toUpperCase())).toBe(notificationIdFor(EVENT, USER));
    expect(notificationIdFor(EVENT, '00000000-0000-4000-8000-000000000001')).not.toBe(
      notificationIdFor(EVENT, USER),
    );
    expect(notificationIdFor(USER, EVENT)).not.toBe(notificationIdFor(EVENT, USER));
  });
});

import { describe, expect, it } from '@jest/globals';
import { keysetCursor } from './keyset-cursor.ts';

const catalog = keysetCursor('p1');
const position = {
  createdAt: new Date('2026-11-01T10:00:00.123Z'),
  id: '00000000-0000-4000-8002-00000000000A',
};

describe('keysetCursor', () => {
  it('gives back the position it encoded, the id in lower case', () => {
    expect(catalog.decode(catalog.encode(position))).toEqual({
      createdAt: position.createdAt,
      id: '00000000-0000-4000-8002-00000000000a',
    });
  });

  it("refuses another connection's cursor", () => {
    expect(keysetCursor('o1').decode(catalog.encode(position))).toBeNull();
  });

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['a JSON value of the wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['a malformed id', Buffer.from('["p1","2026-11-01T10:00:00.000Z","x"]').toString('base64url')],
    ['a date that is not ISO', Buffer.from(`["p1","yesterday","${position.id}"]`).toString('base64url')],
  ])('refuses %s', (_label, cursor) => {
    expect(catalog.decode(cursor)).toBeNull();
  });
});

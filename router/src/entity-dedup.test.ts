import { describe, expect, it } from '@jest/globals';
import { dedupeRepresentations, expandEntities } from './entity-dedup.ts';

const mug = { __typename: 'Product', id: '1' };
const kettle = { __typename: 'Product', id: '2' };

describe('entity representation de-duplication', () => {
  it('keeps each distinct representation once, in first-seen order', () => {
    expect(dedupeRepresentations([mug, kettle, { ...mug }, mug])).toEqual({
      unique: [mug, kettle],
      indexOf: [0, 1, 0, 0],
    });
  });

  it('spreads entities back to every occurrence, and an entity error to each of them', () => {
    const response = {
      data: { _entities: [{ stock: 3 }, null] },
      errors: [
        { message: 'kettle failed', path: ['_entities', 1, 'stock'] },
        { message: 'whole fetch failed' },
      ],
    };
    expect(expandEntities(response, [0, 1, 0, 1])).toEqual({
      data: { _entities: [{ stock: 3 }, null, { stock: 3 }, null] },
      errors: [
        { message: 'kettle failed', path: ['_entities', 1, 'stock'] },
        { message: 'kettle failed', path: ['_entities', 3, 'stock'] },
        { message: 'whole fetch failed' },
      ],
    });
  });

  it('leaves a response without entities as it is', () => {
    expect(expandEntities({ errors: [{ message: 'down' }] }, [0, 0])).toEqual({
      errors: [{ message: 'down' }],
    });
  });
});

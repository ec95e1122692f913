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

  it('keeps representations that share an id but differ in what else they carry', () => {
    const cheap = { __typename: 'Product', id: '1', price: { amount: 100, currency: 'EUR' } };
    const dear = { __typename: 'Product', id: '1', price: { amount: 900, currency: 'EUR' } };
    expect(dedupeRepresentations([cheap, dear, { ...cheap }])).toEqual({
      unique: [cheap, dear],
      indexOf: [0, 1, 0],
    });
  });

  it('finds duplicates among representations keyed by something other than an id', () => {
    const bySku = { __typename: 'Product', sku: 'MUG-1' };
    expect(dedupeRepresentations([bySku, { ...bySku }])).toEqual({ unique: [bySku], indexOf: [0, 0] });
  });

  it('answers all-distinct representations as they are', () => {
    const representations = [mug, kettle, { __typename: 'Order', id: '1' }];
    expect(dedupeRepresentations(representations)).toEqual({ unique: representations, indexOf: [0, 1, 2] });
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

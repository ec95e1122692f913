import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { TestSubgraph } from '@supergraph/testing';
import { SEED_PRODUCT_IDS } from '../src/seed.ts';
import { startProducts } from './products-fixture.ts';

// What products serves to other subgraphs rather than to clients: the batch lookup orders prices an
// order with (`@inaccessible` in the supergraph) and the legacy shipping estimate inventory overrides.

let subgraph: TestSubgraph;

beforeAll(async () => {
  subgraph = await startProducts({ seed: true });
});

afterAll(async () => {
  await subgraph?.stop();
});

const BY_IDS = `query ($ids: [ID!]!) { productsByIds(ids: $ids) { id sku price { amount currency } } }`;

describe('productsByIds', () => {
  it('answers in the order asked, null for an unknown or malformed id, in one statement', async () => {
    subgraph.queries.reset();
    const result = await subgraph.run<{ productsByIds: Array<{ id: string; sku: string } | null> }>(BY_IDS, {
      variables: {
        ids: [
          SEED_PRODUCT_IDS.espressoMachine,
          '00000000-0000-4000-8002-999999999999',
          SEED_PRODUCT_IDS.stonewareMug,
          'not-an-id',
          SEED_PRODUCT_IDS.espressoMachine,
        ],
      },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.productsByIds).toEqual([
      {
        id: SEED_PRODUCT_IDS.espressoMachine,
        sku: 'ESP-DUAL-BOILER',
        price: { amount: 149900, currency: 'EUR' },
      },
      null,
      { id: SEED_PRODUCT_IDS.stonewareMug, sku: 'MUG-STONE-350', price: { amount: 1490, currency: 'EUR' } },
      null,
      {
        id: SEED_PRODUCT_IDS.espressoMachine,
        sku: 'ESP-DUAL-BOILER',
        price: { amount: 149900, currency: 'EUR' },
      },
    ]);
    expect(subgraph.queries.statements).toHaveLength(1);
  });

  it('refuses more than 100 ids with BAD_USER_INPUT', async () => {
    const ids = Array.from({ length: 101 }, () => SEED_PRODUCT_IDS.stonewareMug);
    const result = await subgraph.run(BY_IDS, { variables: { ids } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('ids must hold at most 100 product ids; got 101');
  });
});

describe('shippingEstimate (legacy, overridden by inventory)', () => {
  it('charges 4.90 per started kilogram in the price currency', async () => {
    const result = await subgraph.entities<{
      sku: string;
      shippingEstimate: { amount: number; currency: string };
    }>(
      [
        { __typename: 'Product', id: SEED_PRODUCT_IDS.fountainPen },
        { __typename: 'Product', id: SEED_PRODUCT_IDS.castIronSkillet },
      ],
      '... on Product { sku shippingEstimate { amount currency } }',
    );
    expect(result.data!._entities).toEqual([
      { sku: 'PEN-FTN-STEEL', shippingEstimate: { amount: 490, currency: 'EUR' } },
      { sku: 'PAN-CAST-26', shippingEstimate: { amount: 1470, currency: 'EUR' } },
    ]);
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { TestSubgraph } from '@supergraph/testing';
import { SEED_PRODUCT_IDS, SEED_PRODUCTS } from '../src/seed.ts';
import { ADMIN, CREATE_PRODUCT, newProduct, startProducts } from './products-fixture.ts';

type Reference = { __typename: 'Product'; id?: string; sku?: string };

let subgraph: TestSubgraph;
/** The seeded catalog plus enough created products to ask for 50 distinct references. */
let catalog: Array<{ id: string; sku: string }>;

beforeAll(async () => {
  subgraph = await startProducts({ seed: true });
  catalog = SEED_PRODUCTS.map(({ id, sku }) => ({ id, sku }));
  for (let index = 1; index <= 30; index += 1) {
    const sku = `BULK-${String(index).padStart(3, '0')}`;
    const result = await subgraph.run<{ createProduct: { id: string; sku: string } }>(CREATE_PRODUCT, {
      variables: { input: newProduct(sku) },
      as: ADMIN,
    });
    catalog.push({ id: result.data!.createProduct.id, sku });
  }
});

afterAll(async () => {
  await subgraph?.stop();
});

const SELECTION = '... on Product { id sku name price { amount currency } weightGrams }';

describe('_entities', () => {
  it('resolves a product referenced by id and one referenced by sku, for an anonymous caller too', async () => {
    const result = await subgraph.entities(
      [
        { __typename: 'Product', id: SEED_PRODUCT_IDS.headphones },
        { __typename: 'Product', sku: 'PAN-CAST-26' },
      ],
      SELECTION,
      { as: null },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      {
        id: SEED_PRODUCT_IDS.headphones,
        sku: 'HDP-ANC-OVER',
        name: 'Noise-Cancelling Over-Ear Headphones',
        price: { amount: 24900, currency: 'EUR' },
        weightGrams: 265,
      },
      {
        id: SEED_PRODUCT_IDS.castIronSkillet,
        sku: 'PAN-CAST-26',
        name: 'Cast Iron Skillet 26 cm',
        price: { amount: 4490, currency: 'EUR' },
        weightGrams: 2900,
      },
    ]);
  });

  it('answers null, in place, for a reference that matches nothing or is malformed', async () => {
    const result = await subgraph.entities(
      [
        { __typename: 'Product', id: '00000000-0000-4000-8002-999999999999' },
        { __typename: 'Product', id: SEED_PRODUCT_IDS.monstera },
        { __typename: 'Product', id: 'not-a-uuid' },
        { __typename: 'Product', sku: 'NO-SUCH-SKU' },
      ],
      '... on Product { sku }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([null, { sku: 'PLT-MONSTERA-17' }, null, null]);
  });

  it('resolves 50 references by id with one SQL statement, in the order asked', async () => {
    const wanted = catalog.slice(0, 50).reverse();
    expect(wanted).toHaveLength(50);
    subgraph.queries.reset();
    const result = await subgraph.entities<{ id: string; sku: string }>(
      wanted.map(({ id }): Reference => ({ __typename: 'Product', id })),
      '... on Product { id sku }',
    );
    expect(subgraph.queries.statements).toHaveLength(1);
    expect(result.data!._entities).toEqual(wanted);
  });

  it('resolves 50 references by sku with one SQL statement', async () => {
    const wanted = catalog.slice(-50);
    subgraph.queries.reset();
    const result = await subgraph.entities<{ id: string; sku: string }>(
      wanted.map(({ sku }): Reference => ({ __typename: 'Product', sku })),
      '... on Product { id sku }',
    );
    expect(subgraph.queries.statements).toHaveLength(1);
    expect(result.data!._entities).toEqual(wanted);
  });

  it('asks once per key when references repeat and mix both keys', async () => {
    const references: Reference[] = [
      ...catalog.slice(0, 25).map(({ id }): Reference => ({ __typename: 'Product', id })),
      ...catalog.slice(0, 25).map(({ id }): Reference => ({ __typename: 'Product', id })),
      ...catalog.slice(25, 50).map(({ sku }): Reference => ({ __typename: 'Product', sku })),
    ];
    subgraph.queries.reset();
    const result = await subgraph.entities<{ sku: string }>(references, '... on Product { sku }');
    // One statement for the ids, one for the skus, however many references there are.
    expect(subgraph.queries.statements).toHaveLength(2);
    expect(result.data!._entities.map((entity) => entity?.sku)).toEqual([
      ...catalog.slice(0, 25).map(({ sku }) => sku),
      ...catalog.slice(0, 25).map(({ sku }) => sku),
      ...catalog.slice(25, 50).map(({ sku }) => sku),
    ]);
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { TestSubgraph } from '@supergraph/testing';
import { openInventoryDatabase } from '../src/database.ts';
import { createStockService } from '../src/stock.service.ts';
import { ADMIN, orderId, productIds, startInventory } from './inventory-fixture.ts';

let subgraph: TestSubgraph;
/** 50 products stocked with 1..50 units, in id order. */
let stocked: string[];
/** Stocked, then every unit reserved: on hand, but none to sell. */
let soldOut: string;

const RESTOCK = `mutation ($productId: ID!, $quantity: Int!) { restock(productId: $productId, quantity: $quantity) { id } }`;

beforeAll(async () => {
  subgraph = await startInventory({ seed: false });
  stocked = productIds(50);
  for (const [index, productId] of stocked.entries()) {
    await subgraph.run(RESTOCK, { variables: { productId, quantity: index + 1 }, as: ADMIN });
  }
  [soldOut] = productIds(1) as [string];
  await subgraph.run(RESTOCK, { variables: { productId: soldOut, quantity: 2 }, as: ADMIN });
  // Reservations arrive as events, not through GraphQL: hold both units through the service.
  const orm = await openInventoryDatabase({
    clientUrl: subgraph.schema.clientUrl,
    schema: subgraph.schema.name,
  });
  await createStockService(orm.em.fork()).reserve(orderId(), [{ productId: soldOut, quantity: 2 }]);
  await orm.close();
});

afterAll(async () => {
  await subgraph?.stop();
});

type Stock = { id: string; stock: number; inStock: boolean };
const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** A reference as the router sends it when the query needs shippingEstimate (`@requires`). */
const withRequires = (id: string, amount: number, weightGrams: number, currency = 'EUR') => ({
  __typename: 'Product',
  id,
  price: { amount, currency },
  weightGrams,
});

describe('_entities', () => {
  it('answers stock and inStock: units that can still be sold, 0 when never stocked or malformed', async () => {
    const never = productIds(1)[0]!;
    const result = await subgraph.entities<Stock>(
      [stocked[2]!, soldOut, never, 'not-a-uuid', stocked[2]!.toUpperCase()].map((id) => ({
        __typename: 'Product',
        id,
      })),
      '... on Product { id stock inStock }',
      { as: null },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id: stocked[2], stock: 3, inStock: true },
      { id: soldOut, stock: 0, inStock: false },
      { id: never, stock: 0, inStock: false },
      { id: 'not-a-uuid', stock: 0, inStock: false },
      { id: stocked[2]!.toUpperCase(), stock: 3, inStock: true },
    ]);
  });

  it('computes shippingEstimate from the price and weight the router sends, in their currency', async () => {
    const [id] = stocked as [string];
    const result = await subgraph.entities<{ shippingEstimate: { amount: number; currency: string } }>(
      [
        withRequires(id, 1490, 420),
        withRequires(id, 3490, 2600),
        withRequires(id, 4490, 12_000),
        withRequires(id, 9999, 24_500),
        withRequires(id, 149_900, 24_500),
        withRequires(id, 2500, 1000, 'USD'),
      ],
      '... on Product { shippingEstimate { amount currency } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((entity) => entity!.shippingEstimate)).toEqual([
      eur(490),
      eur(690),
      eur(1290),
      eur(2490),
      eur(0),
      { amount: 490, currency: 'USD' },
    ]);
  });

  it('answers all three fields of 50 references with one SQL statement, in the order asked', async () => {
    const wanted = [...stocked].reverse();
    subgraph.queries.reset();
    const result = await subgraph.entities<Stock & { shippingEstimate: { amount: number } }>(
      wanted.map((id) => withRequires(id, 1000, 500)),
      '... on Product { id stock inStock shippingEstimate { amount } }',
    );
    expect(result.errors).toBeUndefined();
    expect(subgraph.queries.statements).toHaveLength(1);
    expect(result.data!._entities).toEqual(
      wanted.map((id) => ({
        id,
        stock: stocked.indexOf(id) + 1,
        inStock: true,
        shippingEstimate: { amount: 490 },
      })),
    );
  });

  it('costs no statement for a fetch that asks only shippingEstimate', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities(
      stocked.map((id) => withRequires(id, 5000, 3000)),
      '... on Product { shippingEstimate { amount currency } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toHaveLength(50);
    expect(subgraph.queries.statements).toHaveLength(0);
  });

  it('costs no statement when no reference is a product id', async () => {
    subgraph.queries.reset();
    const result = await subgraph.entities<Stock>(
      [{ __typename: 'Product', id: 'MUG-STONE-350' }],
      '... on Product { stock inStock }',
    );
    expect(result.data!._entities).toEqual([{ stock: 0, inStock: false }]);
    expect(subgraph.queries.statements).toHaveLength(0);
  });

  it('fails shippingEstimate with a masked internal error when the router did not send price and weight', async () => {
    const result = await subgraph.entities(
      [{ __typename: 'Product', id: stocked[0] }],
      '... on Product { id shippingEstimate { amount } }',
    );
    expect(result.data?._entities).toEqual([null]);
    expect(result.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(result.errors?.[0]?.message).not.toContain('@requires');
    expect(result.errors?.[0]?.path).toEqual(['_entities', 0, 'shippingEstimate']);
  });
});

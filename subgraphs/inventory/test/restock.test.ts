import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Identity } from '@supergraph/identity';
import type { TestSubgraph } from '@supergraph/testing';
import { ADMIN, CUSTOMER, outboxOfSubgraph, productIds, startInventory } from './inventory-fixture.ts';

let subgraph: TestSubgraph;

beforeAll(async () => {
  subgraph = await startInventory({ seed: false });
});

afterAll(async () => {
  await subgraph?.stop();
});

const RESTOCK = `mutation ($productId: ID!, $quantity: Int!) {
  restock(productId: $productId, quantity: $quantity) { id stock inStock }
}`;

type Restocked = { restock: { id: string; stock: number; inStock: boolean } };

function restock(productId: unknown, quantity: unknown, as: Identity | null = ADMIN) {
  return subgraph.run<Restocked>(RESTOCK, { variables: { productId, quantity }, as });
}

async function stockOf(id: string): Promise<number> {
  const result = await subgraph.entities<{ stock: number }>(
    [{ __typename: 'Product', id }],
    '... on Product { stock }',
  );
  return result.data!._entities[0]!.stock;
}

describe('restock', () => {
  it('stocks a product for the first time and answers its new stock', async () => {
    const [id] = productIds(1) as [string];
    const result = await restock(id, 12);
    expect(result.errors).toBeUndefined();
    expect(result.data!.restock).toEqual({ id, stock: 12, inStock: true });
    expect(await stockOf(id)).toBe(12);
  });

  it('adds to what is there, in one statement, and the returned stock needs no second one', async () => {
    const [id] = productIds(1) as [string];
    await restock(id, 5);
    subgraph.queries.reset();
    const result = await restock(id, 1_000_000);
    expect(result.data!.restock).toEqual({ id, stock: 1_000_005, inStock: true });
    const statements = subgraph.queries.statements;
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^insert into .*on conflict \("product_id"\) do update/);
  });

  it('announces no event: restock writes nothing to the outbox', async () => {
    const [id] = productIds(1) as [string];
    const result = await restock(id, 7);
    expect(result.errors).toBeUndefined();
    expect(await outboxOfSubgraph(subgraph)).toEqual([]);
  });

  it('counts every unit of concurrent restocks of the same product', async () => {
    const [id] = productIds(1) as [string];
    const results = await Promise.all(Array.from({ length: 20 }, () => restock(id, 5)));
    expect(results.every((result) => result.errors === undefined)).toBe(true);
    expect(results.map((result) => result.data!.restock.stock).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, index) => (index + 1) * 5),
    );
    expect(await stockOf(id)).toBe(100);
  });

  it('accepts an id in upper case and answers the canonical one', async () => {
    const [id] = productIds(1) as [string];
    const result = await restock(id.toUpperCase(), 3);
    expect(result.data!.restock).toEqual({ id, stock: 3, inStock: true });
  });

  it('is refused to an anonymous caller (UNAUTHENTICATED) and to a customer (FORBIDDEN), before any check of the input', async () => {
    const [id] = productIds(1) as [string];
    const anonymous = await restock(id, 5, null);
    expect(anonymous.errors?.[0]?.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(anonymous.errors?.[0]?.message).toBe('You must be signed in as an admin to restock products.');
    expect(anonymous.data).toBeNull();

    const customer = await restock('not-an-id', 0, CUSTOMER);
    expect(customer.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(customer.errors?.[0]?.message).toBe('Only an admin can restock products.');

    expect(await stockOf(id)).toBe(0);
  });

  it.each([
    [
      'a product id that is not a UUID',
      'MUG-STONE-350',
      5,
      ['productId'],
      /^productId must be a product id \(a UUID\); got "MUG-STONE-350"$/,
    ],
    ['a quantity of 0', null, 0, ['quantity'], /^quantity must be an integer from 1 to 1000000; got 0$/],
    [
      'a negative quantity',
      null,
      -3,
      ['quantity'],
      /^quantity must be an integer from 1 to 1000000; got -3$/,
    ],
    [
      'a quantity above 1000000',
      null,
      1_000_001,
      ['quantity'],
      /^quantity must be an integer from 1 to 1000000/,
    ],
    ['both at once', 'nope', 0, ['productId', 'quantity'], /^productId must be .*; quantity must be/],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_, productId, quantity, fields, message) => {
    const [fresh] = productIds(1) as [string];
    const result = await restock(productId ?? fresh, quantity);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields });
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(await stockOf(fresh)).toBe(0);
  });

  it('refuses a fractional quantity before it reaches the service (GraphQL Int)', async () => {
    const [id] = productIds(1) as [string];
    const result = await restock(id, 2.5);
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await stockOf(id)).toBe(0);
  });
});

import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { TestSubgraph } from '@supergraph/testing';
import {
  ADMIN,
  CREATE_PRODUCT,
  CUSTOMER,
  newProduct,
  startProducts,
  UPDATE_PRODUCT,
  type ProductView,
} from './products-fixture.ts';

let subgraph: TestSubgraph;

beforeAll(async () => {
  subgraph = await startProducts({ seed: false });
});

afterAll(async () => {
  await subgraph?.stop();
});

async function create(input: Record<string, unknown>) {
  return subgraph.run<{ createProduct: ProductView }>(CREATE_PRODUCT, { variables: { input }, as: ADMIN });
}

async function bySku(sku: string) {
  const result = await subgraph.run<{ productBySku: ProductView | null }>(
    `query ($sku: String!) { productBySku(sku: $sku) { id sku name price { amount currency } weightGrams } }`,
    { variables: { sku } },
  );
  return result.data!.productBySku;
}

describe('createProduct', () => {
  it('adds a product an admin describes, trimmed, and finds it by sku afterwards', async () => {
    const result = await create(
      newProduct(' LAMP-ARC-01 ', {
        name: '  Arc Floor Lamp ',
        description: 'Marble base, brass arc.',
        price: { amount: 32900, currency: 'USD' },
        weightGrams: 8200,
      }),
    );
    expect(result.errors).toBeUndefined();
    const created = result.data!.createProduct;
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sku: 'LAMP-ARC-01',
      name: 'Arc Floor Lamp',
      description: 'Marble base, brass arc.',
      price: { amount: 32900, currency: 'USD' },
      weightGrams: 8200,
      createdAt: expect.any(String),
      updatedAt: created.createdAt,
    });
    expect(await bySku('LAMP-ARC-01')).toEqual({
      id: created.id,
      sku: 'LAMP-ARC-01',
      name: 'Arc Floor Lamp',
      price: { amount: 32900, currency: 'USD' },
      weightGrams: 8200,
    });
  });

  it('accepts a free product (amount 0)', async () => {
    const result = await create(newProduct('GIFT-CARD-SAMPLE', { price: { amount: 0, currency: 'EUR' } }));
    expect(result.data!.createProduct.price).toEqual({ amount: 0, currency: 'EUR' });
  });

  it('refuses a second product with the same sku', async () => {
    await create(newProduct('DUP-001'));
    const result = await create(newProduct('DUP-001', { name: 'Another one' }));
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['sku'] });
    expect(result.errors?.[0]?.message).toBe('a product with sku DUP-001 already exists');
    expect((await bySku('DUP-001'))!.name).toBe('Test product DUP-001');
  });

  it('lets exactly one of two simultaneous creates with the same sku win', async () => {
    const results = await Promise.all([create(newProduct('RACE-001')), create(newProduct('RACE-001'))]);
    expect(results.filter((result) => result.data?.createProduct).length).toBe(1);
    const loser = results.find((result) => result.errors)!;
    expect(loser.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(loser.errors?.[0]?.message).toBe('a product with sku RACE-001 already exists');
  });

  it.each([
    [
      'a lower-case sku',
      { sku: 'mug-001' },
      ['sku'],
      /^sku must be 3 to 32 characters of upper-case letters/,
    ],
    ['a too short sku', { sku: 'AB' }, ['sku'], /^sku must be/],
    ['a too long sku', { sku: 'A'.repeat(33) }, ['sku'], /^sku must be/],
    ['a sku with a double dash', { sku: 'MUG--1' }, ['sku'], /^sku must be/],
    ['a blank name', { name: '   ' }, ['name'], /^name must not be blank$/],
    [
      'a name of 201 characters',
      { name: 'n'.repeat(201) },
      ['name'],
      /^name must be at most 200 characters$/,
    ],
    [
      'a long description',
      { description: 'd'.repeat(10_001) },
      ['description'],
      /^description must be at most/,
    ],
    [
      'a negative amount',
      { price: { amount: -1, currency: 'EUR' } },
      ['price.amount'],
      /^price.amount must be an integer of 0 or more/,
    ],
    [
      'a lower-case currency',
      { price: { amount: 100, currency: 'eur' } },
      ['price.currency'],
      /^price.currency must be an ISO 4217 currency code of 3 upper-case letters, e.g. EUR; got "eur"$/,
    ],
    [
      'an unknown currency',
      { price: { amount: 100, currency: 'EUO' } },
      ['price.currency'],
      /^price.currency must be an ISO 4217/,
    ],
    [
      'a four-letter currency',
      { price: { amount: 100, currency: 'EURO' } },
      ['price.currency'],
      /^price.currency must be/,
    ],
    ['a weight of 0', { weightGrams: 0 }, ['weightGrams'], /^weightGrams must be an integer greater than 0$/],
    ['a negative weight', { weightGrams: -5 }, ['weightGrams'], /^weightGrams must be/],
  ])('refuses %s and names the field', async (_, override, fields, message) => {
    const input = newProduct('VALID-001', override);
    const result = await create(input);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields });
    expect(result.errors?.[0]?.message).toMatch(message);
    expect(await bySku(String(input.sku).trim())).toBeNull();
  });

  it('reports every problem of an input at once', async () => {
    const result = await create(
      newProduct('bad sku', { name: '', weightGrams: 0, price: { amount: -1, currency: 'x' } }),
    );
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fields: ['sku', 'name', 'price.amount', 'price.currency', 'weightGrams'],
    });
  });

  it('refuses a non-integer amount before it reaches the catalog (GraphQL Int)', async () => {
    const result = await create(newProduct('FLOAT-001', { price: { amount: 19.99, currency: 'EUR' } }));
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await bySku('FLOAT-001')).toBeNull();
  });

  it('is refused to an anonymous caller (UNAUTHENTICATED) and to a customer (FORBIDDEN)', async () => {
    const anonymous = await subgraph.run(CREATE_PRODUCT, {
      variables: { input: newProduct('ANON-001') },
      as: null,
    });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const customer = await subgraph.run(CREATE_PRODUCT, {
      variables: { input: newProduct('CUST-001') },
      as: CUSTOMER,
    });
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(customer.errors?.[0]?.message).toBe('Only an admin can change the catalog.');
    expect(await bySku('ANON-001')).toBeNull();
    expect(await bySku('CUST-001')).toBeNull();
  });

  it('checks who calls before what they send', async () => {
    const result = await subgraph.run(CREATE_PRODUCT, {
      variables: { input: newProduct('x') },
      as: CUSTOMER,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('updateProduct', () => {
  let product: ProductView;

  beforeAll(async () => {
    product = (await create(newProduct('UPD-001', { name: 'Before' }))).data!.createProduct;
    await create(newProduct('UPD-TAKEN'));
  });

  async function update(id: string, input: Record<string, unknown>, as = ADMIN) {
    return subgraph.run<{ updateProduct: ProductView }>(UPDATE_PRODUCT, { variables: { id, input }, as });
  }

  it('changes the given fields only and moves updatedAt', async () => {
    // Timestamps have millisecond precision: make sure the update happens in a later millisecond.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await update(product.id, { name: 'After', price: { amount: 4200, currency: 'EUR' } });
    expect(result.errors).toBeUndefined();
    const updated = result.data!.updateProduct;
    expect(updated).toMatchObject({
      id: product.id,
      sku: 'UPD-001',
      name: 'After',
      description: product.description,
      price: { amount: 4200, currency: 'EUR' },
      weightGrams: product.weightGrams,
      createdAt: product.createdAt,
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(product.updatedAt));
    expect(await bySku('UPD-001')).toMatchObject({ name: 'After', price: { amount: 4200, currency: 'EUR' } });
  });

  it('moves a product to a free sku, after which the old sku finds nothing', async () => {
    const result = await update(product.id, {
      sku: 'UPD-002',
      weightGrams: 999,
      description: 'Now heavier.',
    });
    expect(result.data!.updateProduct).toMatchObject({
      sku: 'UPD-002',
      weightGrams: 999,
      description: 'Now heavier.',
    });
    expect(await bySku('UPD-001')).toBeNull();
    expect((await bySku('UPD-002'))!.id).toBe(product.id);
  });

  it('refuses a sku another product has', async () => {
    const result = await update(product.id, { sku: 'UPD-TAKEN' });
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields: ['sku'] });
    expect(result.errors?.[0]?.message).toBe('a product with sku UPD-TAKEN already exists');
  });

  it.each([
    ['an invalid field', { weightGrams: 0 }, ['weightGrams']],
    ['an explicit null', { name: null }, ['name']],
    ['a bad currency', { price: { amount: 1, currency: 'usd' } }, ['price.currency']],
  ])('refuses %s and leaves the product as it was', async (_, input, fields) => {
    const before = await bySku('UPD-002');
    const result = await update(product.id, input);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fields });
    expect(await bySku('UPD-002')).toEqual(before);
  });

  it('answers NOT_FOUND for an id no product has, or that is not an id at all', async () => {
    for (const id of ['00000000-0000-4000-8002-999999999999', 'nope']) {
      const result = await update(id, { name: 'Ghost' });
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(result.errors?.[0]?.message).toBe(`no product has the id ${id}`);
    }
  });

  it('is refused to an anonymous caller (UNAUTHENTICATED) and to a customer (FORBIDDEN)', async () => {
    const anonymous = await subgraph.run(UPDATE_PRODUCT, {
      variables: { id: product.id, input: { name: 'x' } },
    });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const customer = await update(product.id, { name: 'Hijacked' }, CUSTOMER);
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await bySku('UPD-002'))!.name).toBe('After');
  });
});

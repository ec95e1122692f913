import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { TestSubgraph } from '@supergraph/testing';
import { SEED_PRODUCT_IDS, SEED_PRODUCTS } from '../src/seed.ts';
import { PRODUCT_FIELDS, startProducts, type ProductView } from './products-fixture.ts';

interface ProductsPage {
  products: {
    edges: Array<{ cursor: string; node: ProductView }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
}

const PRODUCTS = `query ($first: Int, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    edges { cursor node { ${PRODUCT_FIELDS} } }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}`;

let subgraph: TestSubgraph;

beforeAll(async () => {
  subgraph = await startProducts({ seed: true });
});

afterAll(async () => {
  await subgraph?.stop();
});

/** Follows endCursor until the last page, as a client would. */
async function allPages(variables: { first: number; search?: string }) {
  const pages: ProductsPage['products'][] = [];
  let after: string | null = null;
  do {
    const result = await subgraph.run<ProductsPage>(PRODUCTS, { variables: { ...variables, after } });
    expect(result.errors).toBeUndefined();
    const page: ProductsPage['products'] = result.data!.products;
    pages.push(page);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null && pages.length < 50);
  return pages;
}

function matching(term: string) {
  const lower = term.toLowerCase();
  return SEED_PRODUCTS.filter((product) =>
    [product.name, product.sku, product.description].some((text) => text.toLowerCase().includes(lower)),
  );
}

describe('products', () => {
  it('walks the whole catalog page by page, each product once, in a stable order', async () => {
    const pages = await allPages({ first: 5 });
    expect(pages).toHaveLength(Math.ceil(SEED_PRODUCTS.length / 5));
    expect(pages.map((page) => page.edges.length)).toEqual([5, 5, 5, 5, 5, 1]);
    expect(pages.every((page) => page.totalCount === SEED_PRODUCTS.length)).toBe(true);
    expect(pages.at(-1)!.pageInfo).toEqual({
      hasNextPage: false,
      endCursor: pages.at(-1)!.edges.at(-1)!.cursor,
    });
    const skus = pages.flatMap((page) => page.edges.map((edge) => edge.node.sku));
    // Seeded together, the products share created_at; the id breaks the tie, which is seed order.
    expect(skus).toEqual(SEED_PRODUCTS.map((product) => product.sku));

    const again = await allPages({ first: 7 });
    expect(again.flatMap((page) => page.edges.map((edge) => edge.node.sku))).toEqual(skus);
  });

  it('returns a product with all its fields, money in minor units', async () => {
    const result = await subgraph.run<ProductsPage>(PRODUCTS, { variables: { first: 1 } });
    const node = result.data!.products.edges[0]!.node;
    const seed = SEED_PRODUCTS[0]!;
    expect(node).toEqual({
      id: seed.id,
      sku: seed.sku,
      name: seed.name,
      description: seed.description,
      price: seed.price,
      weightGrams: seed.weightGrams,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: node.createdAt,
    });
  });

  it('defaults to 20 per page and reports an empty page past the end', async () => {
    const first = await subgraph.run<ProductsPage>(PRODUCTS);
    expect(first.data!.products.edges).toHaveLength(20);
    expect(first.data!.products.pageInfo.hasNextPage).toBe(true);

    const last = (await allPages({ first: 100 }))[0]!;
    const past = await subgraph.run<ProductsPage>(PRODUCTS, {
      variables: { after: last.pageInfo.endCursor },
    });
    expect(past.data!.products).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
      totalCount: SEED_PRODUCTS.length,
    });
  });

  it('searches name, sku and description ignoring case, and counts only the matches', async () => {
    for (const term of ['COFFEE', 'mug-', 'merino', 'Induction']) {
      const expected = matching(term).map((product) => product.sku);
      expect(expected.length).toBeGreaterThan(0);
      const pages = await allPages({ first: 2, search: term });
      expect(pages.flatMap((page) => page.edges.map((edge) => edge.node.sku))).toEqual(expected);
      expect(pages[0]!.totalCount).toBe(expected.length);
    }
  });

  it('takes % and _ in a search literally', async () => {
    const percent = await subgraph.run<ProductsPage>(PRODUCTS, { variables: { search: '100%' } });
    expect(percent.data!.products.edges.map((edge) => edge.node.sku)).toEqual(['BAG-TOTE-CANVAS']);
    const underscore = await subgraph.run<ProductsPage>(PRODUCTS, { variables: { search: 'MUG_' } });
    expect(underscore.data!.products).toMatchObject({ edges: [], totalCount: 0 });
    const nothing = await subgraph.run<ProductsPage>(PRODUCTS, { variables: { search: 'no such thing' } });
    expect(nothing.data!.products).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
      totalCount: 0,
    });
  });

  it('treats a blank search as no search', async () => {
    const result = await subgraph.run<ProductsPage>(PRODUCTS, { variables: { first: 1, search: '   ' } });
    expect(result.data!.products.totalCount).toBe(SEED_PRODUCTS.length);
  });

  it.each([0, -1, 101])('refuses first: %i and names the allowed range', async (first) => {
    const result = await subgraph.run(PRODUCTS, { variables: { first } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe(`first must be between 1 and 100; got ${first}`);
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    ['well-formed but foreign', Buffer.from(JSON.stringify({ offset: 20 })).toString('base64url')],
    ['a tampered position', Buffer.from(JSON.stringify(['p1', 'yesterday', 'x'])).toString('base64url')],
    ['empty', ''],
  ])('refuses a cursor that is %s', async (_, after) => {
    const result = await subgraph.run(PRODUCTS, { variables: { after } });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: ['after'] });
    expect(result.errors?.[0]?.message).toMatch(/^after is not a cursor/);
  });

  it('refuses a search longer than 100 characters', async () => {
    const result = await subgraph.run(PRODUCTS, { variables: { search: 'x'.repeat(101) } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toBe('search must be at most 100 characters');
  });

  it('costs one statement for a page and one more for totalCount', async () => {
    const first = await subgraph.run<ProductsPage>(PRODUCTS, { variables: { first: 3, search: 'coffee' } });
    subgraph.queries.reset();
    const result = await subgraph.run<ProductsPage>(PRODUCTS, {
      variables: { first: 3, search: 'coffee', after: first.data!.products.pageInfo.endCursor },
    });
    expect(result.data!.products.edges.length).toBeGreaterThan(0);
    expect(subgraph.queries.statements).toHaveLength(2);

    subgraph.queries.reset();
    await subgraph.run(`{ products(first: 50) { edges { node { sku } } pageInfo { hasNextPage } } }`);
    expect(subgraph.queries.statements).toHaveLength(1);
  });
});

describe('product and productBySku', () => {
  const LOOKUP = `query ($id: ID!, $sku: String!) {
    product(id: $id) { ${PRODUCT_FIELDS} }
    productBySku(sku: $sku) { ${PRODUCT_FIELDS} }
  }`;

  it('find a product by its id and by its sku', async () => {
    const result = await subgraph.run<{ product: ProductView; productBySku: ProductView }>(LOOKUP, {
      variables: { id: SEED_PRODUCT_IDS.espressoMachine, sku: 'ESP-DUAL-BOILER' },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.product).toMatchObject({
      id: SEED_PRODUCT_IDS.espressoMachine,
      sku: 'ESP-DUAL-BOILER',
      name: 'Dual Boiler Espresso Machine',
      price: { amount: 149900, currency: 'EUR' },
      weightGrams: 24500,
    });
    expect(result.data!.productBySku).toEqual(result.data!.product);
  });

  it('accept an id in upper case', async () => {
    const result = await subgraph.run<{ product: { sku: string } }>(
      `query ($id: ID!) { product(id: $id) { sku } }`,
      {
        variables: { id: SEED_PRODUCT_IDS.espressoMachine.toUpperCase() },
      },
    );
    expect(result.data!.product).toEqual({ sku: 'ESP-DUAL-BOILER' });
  });

  it.each([
    ['an unknown id and sku', '00000000-0000-4000-8002-999999999999', 'NO-SUCH-SKU'],
    ['a malformed id and a lower-case sku', 'not-a-uuid', 'esp-dual-boiler'],
  ])('return null for %s', async (_, id, sku) => {
    const result = await subgraph.run(LOOKUP, { variables: { id, sku } });
    expect(result).toEqual({ status: 200, data: { product: null, productBySku: null } });
  });
});

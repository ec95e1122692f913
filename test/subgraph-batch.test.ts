import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signInternalRequest, type Identity } from '@supergraph/identity';
import { TEST_INTERNAL_SECRET, type TestSubgraph } from '@supergraph/testing';
import { ADMIN, productIds, startInventory } from '../subgraphs/inventory/test/inventory-fixture.ts';

// A subgraph takes the router's batch (a JSON array of operations, answered with an array in the same
// order) under one signature, and runs its operations with one context: their DataLoaders are shared,
// so two operations asking for the same rows cost the statements one does.

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id stock } }
}`;
const WITH_SHIPPING = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id inStock shippingEstimate { amount } } }
}`;
const RESTOCK = `mutation ($productId: ID!, $quantity: Int!) { restock(productId: $productId, quantity: $quantity) { id } }`;

let inventory: TestSubgraph;
let products: string[];

beforeAll(async () => {
  inventory = await startInventory({ seed: false });
  products = productIds(2);
  for (const [index, productId] of products.entries()) {
    await inventory.run(RESTOCK, { variables: { productId, quantity: index + 3 }, as: ADMIN });
  }
});

afterAll(async () => {
  await inventory?.stop();
});

interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

/** POSTs a body signed as the router signs it; `tamper` changes it after signing. */
async function postSigned(
  body: string,
  options: { as?: Identity | null; tamper?: (body: string) => string } = {},
) {
  const headers = signInternalRequest(TEST_INTERNAL_SECRET, { identity: options.as ?? null, body });
  const response = await fetch(inventory.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: options.tamper ? options.tamper(body) : body,
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('a batch of operations', () => {
  const stock = () => ({
    query: ENTITIES,
    variables: { representations: products.map((id) => ({ __typename: 'Product', id })) },
  });
  const shipping = () => ({
    query: WITH_SHIPPING,
    variables: {
      representations: products.map((id) => ({
        __typename: 'Product',
        id,
        price: { amount: 2500, currency: 'EUR' },
        weightGrams: 400,
      })),
    },
  });

  it('is answered in order, as each operation alone, with the stock read once for both', async () => {
    const operations: Operation[] = [stock(), shipping()];
    inventory.queries.reset();
    const alone = [];
    for (const operation of operations) alone.push((await postSigned(JSON.stringify(operation))).body);
    const statementsAlone = inventory.queries.statements.length;

    inventory.queries.reset();
    const batch = await postSigned(JSON.stringify(operations));

    expect(batch.status).toBe(200);
    expect(batch.body).toEqual(alone);
    expect(alone[0]).toEqual({
      data: { _entities: products.map((id, index) => ({ id, stock: index + 3 })) },
    });
    // One statement for the stock levels both operations read, where each alone reads them.
    expect(statementsAlone).toBe(2);
    expect(inventory.queries.statements).toHaveLength(1);
  });

  it('is refused when any byte of it differs from what was signed', async () => {
    const body = JSON.stringify([stock(), shipping()]);
    const refused = await postSigned(body, { tamper: (signed) => signed.replace('2500', '9500') });

    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });
});

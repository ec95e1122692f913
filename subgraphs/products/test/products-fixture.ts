import type { Identity } from '@supergraph/identity';
import { startTestSubgraph, type TestSubgraph } from '@supergraph/testing';
import { startProductsSubgraph } from '../src/app.ts';
import { loadEnv } from '../src/env.ts';

export const ADMIN: Identity = { userId: '00000000-0000-4000-8000-000000000001', role: 'ADMIN' };
export const CUSTOMER: Identity = { userId: '00000000-0000-4000-8000-000000000002', role: 'CUSTOMER' };

export const PRODUCT_FIELDS =
  'id sku name description price { amount currency } weightGrams createdAt updatedAt';

export interface ProductView {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: { amount: number; currency: string };
  weightGrams: number;
  createdAt: string;
  updatedAt: string;
}

/** The products subgraph in a fresh schema, with the demo catalog loaded when `seed` is set. */
export function startProducts(options: { seed: boolean }): Promise<TestSubgraph> {
  return startTestSubgraph('products', (env, hooks) =>
    startProductsSubgraph(loadEnv({ ...env, SEED_ON_START: String(options.seed) }), hooks),
  );
}

export const CREATE_PRODUCT = `mutation ($input: CreateProductInput!) { createProduct(input: $input) { ${PRODUCT_FIELDS} } }`;
export const UPDATE_PRODUCT = `mutation ($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) { ${PRODUCT_FIELDS} }
}`;

export function newProduct(sku: string, overrides: Record<string, unknown> = {}) {
  return {
    sku,
    name: `Test product ${sku}`,
    description: 'Made for a test.',
    price: { amount: 2500, currency: 'EUR' },
    weightGrams: 300,
    ...overrides,
  };
}

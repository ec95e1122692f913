import { SEED_PRODUCT_IDS } from '../../subgraphs/products/src/seed.ts';

export { SEED_PRODUCT_IDS };

/** The demo data's fixed ids across subgraphs (each subgraph's seed.ts holds its own). */
export const SEED = {
  adminId: '00000000-0000-4000-8000-000000000001',
  customerId: '00000000-0000-4000-8000-000000000002',
  orderId: '00000000-0000-4000-8004-000000000001',
  paymentId: '00000000-0000-4000-8005-000000000001',
} as const;

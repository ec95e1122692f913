// The package entry (package.json "exports"): lets a process that runs several subgraphs (a local
// `npm start`, an end-to-end test) start this one through its composition root.
export { startProductsSubgraph } from './app.ts';
export { envSchema, loadEnv, type Env } from './env.ts';
export { SEED_PRODUCT_IDS, SEED_PRODUCTS } from './seed.ts';

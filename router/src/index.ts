export { startRouter, type Router, type RouterOverrides } from './app.ts';
export { envSchema, loadEnv, type Env } from './env.ts';

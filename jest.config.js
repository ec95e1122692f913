// Tests run as native ESM (NODE_OPTIONS=--experimental-vm-modules) with swc stripping the types, the
// same way Node 24 runs the .ts sources in production. Integration tests share one Postgres and one
// Redis, each file in a schema of its own, so files may run in parallel.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/subgraphs', '<rootDir>/router', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2024' },
        module: { type: 'es6' },
      },
    ],
  },
  testTimeout: 30_000,
  maxWorkers: 2,
};

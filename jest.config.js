// Tests run as native ESM (NODE_OPTIONS=--experimental-vm-modules) with swc stripping the types, the
// same way Node 24 runs the .ts sources in production. Integration tests share one Postgres and one
// Redis, each file in a schema of its own, so files may run in parallel.
//
// Except the system tests (jest.system.config.js): each loads the machine with a whole shop of its own
// (npm start's eleven processes, a burst of sagas against deadlines, a router cluster) and asserts
// what a user of that shop would see, answers within the shop's own deadlines included. Two of them
// at once on a 2-core machine measure each other's load instead; `npm test` runs them one at a time
// after the rest.

/** The system tests, by their path from the repository's root. */
export const SYSTEM_TESTS = [
  'test/supervisor.test.ts',
  'test/saga-burst.test.ts',
  'test/saga-redis-loss.test.ts',
  'test/saga-postgres-restart.test.ts',
  'test/migration-job.test.ts',
  'router/test/cluster.test.ts',
  'router/test/trace-context-deployed.test.ts',
];

/** @type {import('jest').Config} */
export const base = {
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

/** @type {import('jest').Config} */
export default {
  ...base,
  testPathIgnorePatterns: [
    '/node_modules/',
    ...SYSTEM_TESTS.map((path) => `<rootDir>/${path.replaceAll('.', '\\.')}$`),
  ],
};

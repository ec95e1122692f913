// The system tests (jest.config.js says which and why), one at a time.
import { base, SYSTEM_TESTS } from './jest.config.js';

/** @type {import('jest').Config} */
export default { ...base, testMatch: SYSTEM_TESTS.map((path) => `<rootDir>/${path}`), maxWorkers: 1 };

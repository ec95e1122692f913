import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', '.local/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Only env.ts files read the environment: config is parsed once, per process.
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through the env.ts of your process.',
        },
      ],
    },
  },
  {
    files: ['**/env.ts', 'scripts/**', '**/*.test.ts', '**/test/**', 'packages/testing/**', 'jest.config.js'],
    rules: { 'no-restricted-properties': 'off', 'no-console': 'off' },
  },
  {
    // A test that reads a field of a response it just asserted on may say so with `!`.
    files: ['**/*.test.ts', '**/test/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);

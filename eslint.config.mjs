import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'coverage/',
      'dist/',
      '.event-relay/',
      '**/*.js',
      '**/*.mjs',
      'portal/dist/',
      'portal/src/api/schema.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'Focused tests are not allowed.' },
        { object: 'it', property: 'only', message: 'Focused tests are not allowed.' },
        { object: 'test', property: 'only', message: 'Focused tests are not allowed.' },
        { object: 'describe', property: 'skip', message: 'Skipped tests are not allowed.' },
        { object: 'it', property: 'skip', message: 'Skipped tests are not allowed.' },
        { object: 'test', property: 'skip', message: 'Skipped tests are not allowed.' },
      ],
      'no-restricted-globals': ['error', 'fdescribe', 'fit', 'xdescribe', 'xit', 'xtest'],
    },
  },
);

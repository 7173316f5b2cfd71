/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The parity run's suite needs a deployed stack: `npm run test:aws` runs it (jest.aws.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/aws/'],
  // @swc/jest strips types only; `tsc --noEmit` in `npm test` is the type gate.
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy 6 and fauxqs ship ESM only: let swc turn it into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs)/)'],
  moduleNameMapper: { '^fauxqs$': '<rootDir>/node_modules/fauxqs/dist/app.js' },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};

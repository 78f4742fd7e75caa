/** One jest run = one test engine and one set of test databases (see test/support/global-setup.ts). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/server/**/*.test.ts', '<rootDir>/workers/**/*.test.ts', '<rootDir>/processes/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // The tests share one engine; workers of parallel files would take each other's jobs.
  maxWorkers: 1,
  // Browser tests walk several screens on the real engine; on a busy 2-core machine one walk can take minutes.
  testTimeout: 300000,
  // Keep-alive HTTP agents and pg pools of the stacks can outlive the last test by a moment.
  forceExit: true,
  // The generated Prisma client imports its TypeScript siblings with .js extensions.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  modulePathIgnorePatterns: ['<rootDir>/.data/', '<rootDir>/admin-ui/dist/'],
};

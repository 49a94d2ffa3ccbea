/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup-jest.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Synthesizing whole apps is CPU-bound; two workers match the two cores CI has.
  maxWorkers: 2,
  // Whole-app synths take 1-3 s alone but far longer on a loaded machine; jest's 5 s default made
  // them fail by timeout, not by behaviour. Speed is measured in `npm run bench`, not here.
  testTimeout: 120_000,
};

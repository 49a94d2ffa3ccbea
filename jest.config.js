/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup-jest.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Synthesizing whole apps is CPU-bound; two workers match the two cores CI has.
  maxWorkers: 2,
  // Generous: a hook that synthesizes and proves a whole platform takes seconds on a quiet machine and ten times that
  // when several suites share two cores. A timeout here is a hang guard, not a speed check (speed is npm run bench's).
  testTimeout: 120_000,
};

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup-jest.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Synthesizing whole apps is CPU-bound; two workers match the two cores CI has.
  maxWorkers: 2,
};

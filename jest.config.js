/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/setup-jest.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Synthesizing whole apps is CPU-bound; two workers match the two cores CI has.
  maxWorkers: 2,
  // Whole-app (and HCL) synths take seconds on an idle machine but far longer on a shared, loaded one; the default
  // 5-second limit fails them for the machine's load, not for their behaviour (no test asserts a duration).
  testTimeout: 180_000,
};

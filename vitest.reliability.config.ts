import { defineConfig } from 'vitest/config';

/** The reliability lane (`npm run test:reliability`): faults, fuzzing, abuse. Kept out of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    allowOnly: false,
  },
});

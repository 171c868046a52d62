import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/reliability/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Real servers (SCIM, Slack emulator, MongoDB wire server) start per file; two cores on CI.
    pool: 'forks',
    maxWorkers: 2,
    allowOnly: false,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Model and e2e tests share two cores; running files one at a time keeps timings honest.
    fileParallelism: false,
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});

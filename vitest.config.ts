import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // The test entry point names the one resources folder (catalog, prices, puzzles), as bin/tandem.mjs does.
    // TANDEM_RUNTIME_BUILD=off: tests never compile llama.cpp (a fuzzed runtime.build would); they inject builds.
    env: { TANDEM_RESOURCES_DIR: fileURLToPath(new URL('./resources', import.meta.url)), TANDEM_RUNTIME_BUILD: 'off' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Model and e2e tests share two cores; running files one at a time keeps timings honest.
    fileParallelism: false,
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});

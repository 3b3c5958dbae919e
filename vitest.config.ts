import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file opens its own database; two workers fit the 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Browser tests poll the page until it shows what the server answered: on a loaded 2-core machine a
    // debounced search and its request can take longer than vitest's default second.
    expect: { poll: { timeout: 10_000 } },
    reporters: ['default'],
  },
});

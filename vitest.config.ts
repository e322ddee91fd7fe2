import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The same suite runs on the Windows Node under Wine, where process start-up is slow.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

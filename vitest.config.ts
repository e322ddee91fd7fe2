import { defineConfig } from 'vitest/config';

const torture = 'test/teardown/workers.test.ts';

export default defineConfig({
  test: {
    setupFiles: ['test/setup.ts'],
    // The same suite runs on the Windows Node under Wine, where process start-up is slow.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [torture] } },
      // The worker torture test loads the whole machine on purpose; it runs after the rest, on
      // its own, so its load is never another test's timing.
      { extends: true, test: { name: 'torture', include: [torture], sequence: { groupOrder: 1 } } },
    ],
  },
});

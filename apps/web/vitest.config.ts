import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'web',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Every test drives a real Chromium against a real server process.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'web',
    // Unit tests of the app's pure modules beside them; browser tests in test/.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Every browser test drives a real Chromium against a real server process.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

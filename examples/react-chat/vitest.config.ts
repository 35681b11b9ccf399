import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'react-chat',
    include: ['test/**/*.test.ts'],
    // Builds the app, spawns a server and drives Chromium: slow on a busy machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    // Each file starts its own servers on port 0 with its own data directory.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'scripts',
    include: ['*.test.ts'],
    environment: 'node',
    // The release dry run copies the repository, installs from the store and packs every package.
    testTimeout: 180_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // scripts: the release dry run and the published packages' metadata.
    projects: ['packages/*', 'apps/*', 'examples/*', 'scripts'],
  },
});

import { defineProject } from 'vitest/config';
import { APP_ORIGIN } from './test/support/app-origin.js';

export default defineProject({
  test: {
    name: 'react',
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    // React Testing Library needs a document; happy-dom runs on Node 20 (jsdom 27+ needs Node 22).
    environment: 'happy-dom',
    // Components run on an app's origin, as in a browser: its fetch is held to CORS, so the
    // test servers allow this origin (CORS_ORIGINS), as a server for a web app on another
    // origin must.
    environmentOptions: { happyDOM: { url: APP_ORIGIN } },
    setupFiles: ['./test/support/setup.ts'],
    // Every test spawns a real server process; give them room on a busy machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

import { cleanup, configure } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';

/**
 * Any console.error or console.warn fails the test: React reports its problems there (an
 * update outside act(), a getSnapshot that is not cached, a missing key), and a hook that
 * misbehaves must not pass quietly.
 */
let reported: string[] = [];

// Real servers on a shared, busy machine: give waitFor/findBy more than their default second.
configure({ asyncUtilTimeout: 15_000 });

beforeEach(() => {
  reported = [];
  for (const level of ['error', 'warn'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      reported.push(`console.${level}: ${args.map(String).join(' ')}`);
    });
  }
});

afterEach(() => {
  // Unmount what the test rendered (Testing Library does this itself only with vitest globals).
  cleanup();
  vi.restoreAllMocks();
  if (reported.length > 0) throw new Error(`React or the SDK complained:\n${reported.join('\n')}`);
});

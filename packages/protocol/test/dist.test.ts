import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as source from '../src/index.js';

// The built package, as consumers load it (the test command builds it first).
const require = createRequire(import.meta.url);

describe('the built package', () => {
  it('loads from CommonJS with every export of the source', () => {
    const cjs = require('@chatter/protocol');
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(source).sort());
    expect(cjs.ERROR_HTTP_STATUS.VALIDATION).toBe(400);
    expect(cjs.SendMessagePayloadSchema.safeParse({ room: 'a', text: 'hi' }).success).toBe(true);
  });

  it('loads from ESM with every export of the source', async () => {
    const esm = await import('@chatter/protocol');
    expect(Object.keys(esm).sort()).toEqual(Object.keys(source).sort());
    expect(esm.RoomNameSchema.safeParse('General').success).toBe(false);
  });
});

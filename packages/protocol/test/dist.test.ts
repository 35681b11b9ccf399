import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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

  it('is one ES module per source module, so bundlers can leave out what an app does not use', () => {
    const dist = readdirSync(fileURLToPath(new URL('../dist', import.meta.url)));
    expect(dist).toEqual(expect.arrayContaining(['limits.js', 'error-codes.js', 'errors.js']));
  });

  it('words its errors in English with zod/mini alone, as classic zod would', () => {
    // A process of its own: here in the test run, classic zod may have installed its messages.
    const script = `import { UserIdSchema } from '@chatter/protocol';
console.log(UserIdSchema.safeParse('u'.repeat(200)).error.issues[0].message);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(output.trim()).toBe('Too big: expected string to have <=128 characters');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { isChatterError } from './errors.js';
import { newClientId } from './ids.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('newClientId', () => {
  it('mints a UUID v4 from getRandomValues where randomUUID is missing (insecure origins)', () => {
    const { getRandomValues } = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });
    const ids = new Set(Array.from({ length: 100 }, () => newClientId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('throws a ChatterError UNSUPPORTED, not a TypeError, without Web Crypto', () => {
    vi.stubGlobal('crypto', undefined);
    let thrown: unknown;
    try {
      newClientId();
    } catch (error) {
      thrown = error;
    }
    expect(isChatterError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'UNSUPPORTED' });
  });
});

import { ChatterError } from './errors.js';

/**
 * A random UUID v4 for a message's `clientId`. `crypto.randomUUID` exists only in secure
 * contexts (https or localhost); a page on plain http over the LAN still has `getRandomValues`.
 * Without Web Crypto at all (an old runtime, a sandbox) there is no good randomness to mint ids
 * the server deduplicates by, so this refuses instead of risking collisions.
 */
export const newClientId = (): string => {
  const crypto: Partial<Crypto> | undefined = globalThis.crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  if (typeof crypto?.getRandomValues !== 'function') {
    throw new ChatterError(
      'UNSUPPORTED',
      'Web Crypto (globalThis.crypto.getRandomValues) is missing; the SDK needs it to give messages their ids',
    );
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

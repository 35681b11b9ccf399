import type { User } from '@chatter/protocol';

const decodeBase64Url = (segment: string): string => {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=');
  const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
};

/**
 * The user a token names (`sub`, `name`), read without verifying it: only the server can verify,
 * and the SDK needs the user only to know which outbox entries are its own and who "me" is.
 */
export const userFromToken = (token: string): User | null => {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload));
    if (typeof claims !== 'object' || claims === null) return null;
    const { sub, name } = claims as { sub?: unknown; name?: unknown };
    return typeof sub === 'string' && typeof name === 'string' ? { id: sub, name } : null;
  } catch {
    return null;
  }
};

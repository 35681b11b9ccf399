import type { User } from '@chatter/protocol';

const decodeBase64Url = (segment: string): string => {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=');
  const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
  return new TextDecoder().decode(bytes);
};

/** A token's claims, read without verifying it; undefined when it is no JWT. */
const claimsOf = (token: string): Record<string, unknown> | undefined => {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload));
    return typeof claims === 'object' && claims !== null
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * When a token expires (`exp`) and was issued (`iat`, when it says), in milliseconds since the
 * epoch, read without verifying it: enough to refresh it in time, which is all the SDK uses it for.
 */
export const tokenTimes = (
  token: string,
): { expiresAtMs: number; issuedAtMs: number | undefined } | undefined => {
  const claims = claimsOf(token);
  const { exp, iat } = claims ?? {};
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return undefined;
  return {
    expiresAtMs: exp * 1000,
    issuedAtMs: typeof iat === 'number' && Number.isFinite(iat) ? iat * 1000 : undefined,
  };
};

/**
 * The user a token names (`sub`, `name`), read without verifying it: only the server can verify,
 * and the SDK needs the user only to know which outbox entries are its own and who "me" is.
 */
export const userFromToken = (token: string): User | null => {
  const { sub, name } = claimsOf(token) ?? {};
  return typeof sub === 'string' && typeof name === 'string' ? { id: sub, name } : null;
};

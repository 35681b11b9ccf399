// Mints a Chatter access token on an app's backend with jose (https://github.com/panva/jose).
//
//   npm install jose
//   CHATTER_JWT_SECRET=… node mint-token.mjs <user id> "<display name>"
//
// The server accepts HS256 tokens signed with its CHATTER_JWT_SECRET that carry `sub` (the user
// id, 1–128 characters), `name` (1–40 characters) and `exp`, living at most CHATTER_MAX_TOKEN_TTL
// (30 days by default). Hand the token to the SDK: createChatterClient({ url, getToken }).
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';

/**
 * A token for one user of your app, valid for `ttlSeconds`.
 *
 * @param {{ secret: string, userId: string, name: string, ttlSeconds?: number }} options
 * @returns {Promise<string>}
 * @example
 * const token = await mintToken({ secret: process.env.CHATTER_JWT_SECRET, userId: 'u42', name: 'Ada' });
 */
export const mintToken = ({ secret, userId, name, ttlSeconds = 3600 }) =>
  new SignJWT({ name })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));

// Run as a script (not imported): mint one token and print it.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const [userId, name] = process.argv.slice(2);
  const secret = process.env.CHATTER_JWT_SECRET;
  if (!secret || !userId || !name) {
    console.error('usage: CHATTER_JWT_SECRET=… node mint-token.mjs <user id> "<display name>"');
    process.exit(2);
  }
  console.log(await mintToken({ secret, userId, name }));
}

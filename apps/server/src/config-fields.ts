import { ConnectionString } from 'mongodb-connection-string-url';
import { z } from 'zod';

// The shapes environment variables come in, each failing with a message that names its variable.

export const wholeNumber = (name: string, { min, max }: { min: number; max: number }) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `${name} must be at least ${min}`)
        .max(max, `${name} must be at most ${max}`),
    );

export const flag = (name: string) =>
  z
    .enum(['true', 'false', '1', '0'], { message: `${name} must be true or false` })
    .transform((value) => value === 'true' || value === '1');

// Characters MongoDB does not allow in database names (on any platform), plus "/".
const BAD_DATABASE_NAME = /[/\\. "$*<>:|?]/;

/**
 * Parses the URI the way the driver will, so a malformed one is a configuration error at start
 * rather than a connection failure later. Query options are checked by the driver on connect.
 */
export function checkMongoUri(uri: string, ctx: z.RefinementCtx): void {
  if (!/^mongodb(\+srv)?:\/\//.test(uri)) {
    ctx.addIssue({
      code: 'custom',
      message: 'MONGODB_URI must start with mongodb:// or mongodb+srv://',
    });
    return;
  }
  let database: string;
  try {
    const parsed = new ConnectionString(uri);
    // The driver parses each host as a URL when it connects; do the same now.
    for (const host of parsed.hosts) {
      if (!URL.canParse(`mongodb://${host}`)) throw new Error(`"${host}" is not a host[:port]`);
    }
    database = decodeURIComponent(parsed.pathname.slice(1));
  } catch (error) {
    ctx.addIssue({
      code: 'custom',
      message: `MONGODB_URI is not a valid MongoDB connection string: ${(error as Error).message}`,
    });
    return;
  }
  if (BAD_DATABASE_NAME.test(database) || database.length > 63) {
    ctx.addIssue({
      code: 'custom',
      message: `MONGODB_URI names the database "${database}", which MongoDB does not allow`,
    });
  }
}

/** A comma-separated list, items trimmed, empty items dropped (`a, b,` is `['a', 'b']`). */
export const commaList = z.string().transform((list) =>
  list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** `true`/`false`, a hop count, or a list of trusted addresses/subnets, as Express takes them. */
export const parseTrustProxy = (value: string | undefined): boolean | number | string => {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
};

const ORIGIN_EXAMPLE = 'such as https://app.example.com or http://localhost:5173';

/**
 * One `CORS_ORIGINS` entry as the origin a browser sends (`scheme://host[:port]`, lower case, no
 * default port). Browsers compare origins as exact strings, so `http://localhost:5173/` as
 * written would match nothing; anything that is not an origin is refused rather than silently
 * matching nothing.
 */
export const corsOrigin = z.string().transform((entry, ctx) => {
  const refuse = (reason: string) => {
    ctx.addIssue({
      code: 'custom',
      message: `CORS_ORIGINS must be a comma-separated list of origins (${ORIGIN_EXAMPLE}): "${entry}" ${reason}`,
    });
    return z.NEVER;
  };
  if (entry.includes('*')) {
    return refuse('has a wildcard; list each origin that may call the server, as browsers send it');
  }
  if (!URL.canParse(entry)) return refuse('is not a URL');
  const url = new URL(entry);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse('is not an http:// or https:// origin');
  }
  if (url.username !== '' || url.password !== '') return refuse('has a user name or password');
  // `new URL` turns an empty path into `/`, so `https://a.example` and `https://a.example/` both
  // pass; a page's address (`/chat`, `?x`, `#y`) is not an origin.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(entry)) {
    return refuse('has a path, query or fragment; an origin is scheme://host[:port] only');
  }
  return url.origin;
});

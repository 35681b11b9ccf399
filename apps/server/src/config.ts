import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectionString } from 'mongodb-connection-string-url';
import { z } from 'zod';
import { LOG_LEVELS } from './utils/logger.js';

const wholeNumber = (name: string, { min, max }: { min: number; max: number }) =>
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

const flag = (name: string) =>
  z
    .enum(['true', 'false', '1', '0'], { message: `${name} must be true or false` })
    .transform((value) => value === 'true' || value === '1');

// Characters MongoDB does not allow in database names (on any platform), plus "/".
const BAD_DATABASE_NAME = /[/\\. "$*<>:|?]/;

/**
 * Parses the URI the way the driver will, so a malformed one is a configuration error at start
 * rather than a connection failure later. Query options are checked by the driver on connect.
 */
function checkMongoUri(uri: string, ctx: z.RefinementCtx): void {
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

// The repo's `apps/web/dist`: this module runs as `src/config.ts` (tsx) or `dist/config.js`, and
// both are one level below `apps/server`.
const BUILT_WEB_APP_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const EnvSchema = z.object({
  PORT: wholeNumber('PORT', { min: 0, max: 65535 }).default(3000),
  HOST: z.string().min(1).optional(),
  MONGODB_URI: z.string().superRefine(checkMongoUri).optional(),
  CHATTER_MONGODB_WRITE_CONCERN: z
    .string()
    // 0 (unacknowledged) is refused: an acknowledged message must be stored. A replica set has
    // at most 50 members.
    .regex(
      /^(majority|[1-9]|[1-4]\d|50)$/,
      'CHATTER_MONGODB_WRITE_CONCERN must be "majority" or a number of members from 1 to 50',
    )
    .transform((value) => (value === 'majority' ? value : Number(value)))
    .default('majority'),
  CHATTER_MONGODB_WRITE_TIMEOUT_MS: wholeNumber('CHATTER_MONGODB_WRITE_TIMEOUT_MS', {
    min: 100,
    max: 600_000,
  }).default(10_000),
  CHATTER_DATA_DIR: z.string().min(1).default('./data'),
  CHATTER_SQLITE_BUSY_TIMEOUT_MS: wholeNumber('CHATTER_SQLITE_BUSY_TIMEOUT_MS', {
    min: 0,
    max: 60_000,
  }).default(5000),
  CHATTER_WEB_DIR: z.string().min(1).default(BUILT_WEB_APP_DIR),
  CHATTER_JWT_SECRET: z
    .string()
    .min(32, 'CHATTER_JWT_SECRET must be at least 32 characters (HS256 needs 256 bits)')
    .optional(),
  CHATTER_GUESTS: flag('CHATTER_GUESTS').default(true),
  CHATTER_SESSION_TTL_SECONDS: wholeNumber('CHATTER_SESSION_TTL_SECONDS', {
    min: 60,
    max: 365 * 24 * 3600,
  }).default(7 * 24 * 3600),
  CHATTER_PRESENCE_GRACE_MS: wholeNumber('CHATTER_PRESENCE_GRACE_MS', {
    min: 0,
    max: 600_000,
  }).default(5000),
  CHATTER_TYPING_TIMEOUT_MS: wholeNumber('CHATTER_TYPING_TIMEOUT_MS', {
    min: 100,
    max: 60_000,
  }).default(5000),
  CHATTER_MESSAGES_PER_MINUTE: wholeNumber('CHATTER_MESSAGES_PER_MINUTE', {
    min: 1,
    max: 1_000_000,
  }).default(120),
  REDIS_URL: z
    .url({ message: 'REDIS_URL must be a URL such as redis://127.0.0.1:6379' })
    .optional(),
  CORS_ORIGINS: z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0),
    )
    .pipe(z.array(z.url({ message: 'CORS_ORIGINS must be a comma-separated list of origins' })))
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
});

export interface Config {
  port: number;
  host: string | undefined;
  mongodbUri: string | undefined;
  /** `w` for every MongoDB write: acknowledged only once this many members (or a majority) have it. */
  mongodbWriteConcern: 'majority' | number;
  /** How long a MongoDB write waits for its write concern before it fails. */
  mongodbWriteTimeoutMs: number;
  dataDir: string;
  /** How long a write waits for another process's lock on the SQLite file before UNAVAILABLE. */
  sqliteBusyTimeoutMs: number;
  /** The built web app, served at `/` when it holds an `index.html`. */
  webDir: string;
  jwtSecret: string | undefined;
  guestsEnabled: boolean;
  sessionTtlSeconds: number;
  presenceGraceMs: number;
  typingTimeoutMs: number;
  messagesPerMinute: number;
  redisUrl: string | undefined;
  corsOrigins: string[];
  logLevel: (typeof LOG_LEVELS)[number];
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and checks the environment; a bad value throws a ConfigError that names the variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): Config => {
  // An empty variable (`PORT=`) means "not set", as in most shells' `${VAR:-default}`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // Our messages name their variable already; zod's generic ones do not.
      return issue.message.includes(name) ? `  ${issue.message}` : `  ${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    mongodbWriteConcern: e.CHATTER_MONGODB_WRITE_CONCERN,
    mongodbWriteTimeoutMs: e.CHATTER_MONGODB_WRITE_TIMEOUT_MS,
    dataDir: path.resolve(e.CHATTER_DATA_DIR),
    sqliteBusyTimeoutMs: e.CHATTER_SQLITE_BUSY_TIMEOUT_MS,
    webDir: path.resolve(e.CHATTER_WEB_DIR),
    jwtSecret: e.CHATTER_JWT_SECRET,
    guestsEnabled: e.CHATTER_GUESTS,
    sessionTtlSeconds: e.CHATTER_SESSION_TTL_SECONDS,
    presenceGraceMs: e.CHATTER_PRESENCE_GRACE_MS,
    typingTimeoutMs: e.CHATTER_TYPING_TIMEOUT_MS,
    messagesPerMinute: e.CHATTER_MESSAGES_PER_MINUTE,
    redisUrl: e.REDIS_URL,
    corsOrigins: e.CORS_ORIGINS ?? [],
    logLevel: e.LOG_LEVEL,
  };
};

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  checkMongoUri,
  commaList,
  corsOrigin,
  flag,
  parseTrustProxy,
  wholeNumber,
} from './config-fields.js';
import { LOG_LEVELS } from './utils/logger.js';

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
  // Unset: on only when the server generates its own secret (the local demo), see loadConfig.
  CHATTER_GUESTS: flag('CHATTER_GUESTS').optional(),
  CHATTER_GUEST_ROOMS: commaList
    .pipe(
      z
        .array(
          z
            .string()
            .regex(
              /^[^*]+\*?$|^\*$/,
              'CHATTER_GUEST_ROOMS lists room names or prefix* patterns, separated by commas',
            ),
        )
        .min(1, 'CHATTER_GUEST_ROOMS must name at least one room or pattern'),
    )
    .optional(),
  CHATTER_SESSIONS_PER_MINUTE: wholeNumber('CHATTER_SESSIONS_PER_MINUTE', {
    min: 1,
    max: 1_000_000,
  }).default(20),
  CHATTER_TRUST_PROXY: z
    .string()
    .regex(
      /^[\w.:/]+(\s*,\s*[\w.:/]+)*$/,
      'CHATTER_TRUST_PROXY must be true, false, a number of proxy hops, or a comma-separated list of proxy addresses and subnets (loopback, 10.0.0.0/8)',
    )
    .optional(),
  CHATTER_MAX_CONNECTIONS_PER_USER: wholeNumber('CHATTER_MAX_CONNECTIONS_PER_USER', {
    min: 1,
    max: 100_000,
  }).default(20),
  CHATTER_MAX_CONNECTIONS_PER_ADDRESS: wholeNumber('CHATTER_MAX_CONNECTIONS_PER_ADDRESS', {
    min: 1,
    max: 1_000_000,
  }).default(500),
  CHATTER_MAX_ROOMS_PER_CONNECTION: wholeNumber('CHATTER_MAX_ROOMS_PER_CONNECTION', {
    min: 1,
    max: 100_000,
  }).default(100),
  CHATTER_ROOMS_PER_MINUTE: wholeNumber('CHATTER_ROOMS_PER_MINUTE', {
    min: 1,
    max: 1_000_000,
  }).default(30),
  CHATTER_MAX_BUFFERED_BYTES: wholeNumber('CHATTER_MAX_BUFFERED_BYTES', {
    min: 64 * 1024,
    max: 1024 * 1024 * 1024,
  }).default(32 * 1024 * 1024),
  CHATTER_MAX_TOKEN_TTL: wholeNumber('CHATTER_MAX_TOKEN_TTL', {
    min: 60,
    max: 10 * 365 * 24 * 3600,
  }).default(30 * 24 * 3600),
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
  CHATTER_EVENTS_PER_SECOND: wholeNumber('CHATTER_EVENTS_PER_SECOND', {
    min: 1,
    max: 1_000_000,
  }).default(20),
  CHATTER_READ_BYTES_PER_SECOND: wholeNumber('CHATTER_READ_BYTES_PER_SECOND', {
    min: 64 * 1024,
    max: 1024 * 1024 * 1024,
  }).default(2 * 1024 * 1024),
  CHATTER_REFUSALS_BEFORE_DISCONNECT: wholeNumber('CHATTER_REFUSALS_BEFORE_DISCONNECT', {
    min: 1,
    max: 1_000_000,
  }).default(100),
  REDIS_URL: z
    .url({ message: 'REDIS_URL must be a URL such as redis://127.0.0.1:6379' })
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional(),
  CHATTER_REDIS_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z0-9_.-]{1,64}$/,
      'CHATTER_REDIS_PREFIX must be 1–64 letters, digits, dots, dashes or underscores',
    )
    .default('chatter'),
  CORS_ORIGINS: commaList
    .pipe(z.array(corsOrigin))
    // `https://a.example` and `https://a.example/` are one origin: listed once.
    .transform((origins) => [...new Set(origins)])
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
});

/** Every environment variable the server reads (`pnpm dev` must let each of them through turbo). */
export const ENV_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

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
  /** Guest sessions: on by default only while the server generates its own secret. */
  guestsEnabled: boolean;
  /** Room names and `prefix*` patterns guests are confined to; undefined: any room. */
  guestRooms: string[] | undefined;
  /** Guest sessions one client address may start per minute. */
  sessionsPerMinute: number;
  /** Express's `trust proxy`: which proxies' `X-Forwarded-For` names the client. */
  trustProxy: boolean | number | string;
  maxConnectionsPerUser: number;
  maxConnectionsPerAddress: number;
  maxRoomsPerConnection: number;
  /** Rooms one user may bring into existence per minute. */
  roomsPerMinute: number;
  /** Outgoing bytes a connection may have waiting before it is closed as a slow consumer. */
  maxBufferedBytes: number;
  /** The longest token lifetime (exp − iat, or exp − now without iat) accepted, in seconds. */
  maxTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  presenceGraceMs: number;
  typingTimeoutMs: number;
  messagesPerMinute: number;
  /** Typing, away and leave events one connection may send per second (its budget holds 5 s). */
  eventsPerSecond: number;
  /** Approximate bytes of history one connection may read (join, history) per second. */
  readBytesPerSecond: number;
  /** Budget refusals (one forgiven per second) after which a connection is closed. */
  refusalsBeforeDisconnect: number;
  /** Set: this node is one of a cluster that shares live events, presence and limits in Redis. */
  redisUrl: string | undefined;
  /** Every Redis key and channel of this cluster starts with it, so clusters can share a Redis. */
  redisPrefix: string;
  /** Origins (`scheme://host[:port]`, normalised) whose pages may call the API and Socket.IO. */
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
  if (e.CHATTER_SESSION_TTL_SECONDS > e.CHATTER_MAX_TOKEN_TTL) {
    throw new ConfigError(
      `Invalid configuration:\n  CHATTER_SESSION_TTL_SECONDS (${e.CHATTER_SESSION_TTL_SECONDS}) must not exceed CHATTER_MAX_TOKEN_TTL (${e.CHATTER_MAX_TOKEN_TTL}): guest tokens would be refused`,
    );
  }
  if (e.REDIS_URL !== undefined && e.CHATTER_JWT_SECRET === undefined) {
    // Each node would generate a secret of its own, and refuse the tokens the others sign.
    throw new ConfigError(
      'REDIS_URL is set, so CHATTER_JWT_SECRET must be set too: every node of a cluster needs the same secret',
    );
  }
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
    // A server given its secret serves an app that signs its own tokens: anonymous guests there
    // would read and post next to that app's users unless the operator asks for them.
    guestsEnabled: e.CHATTER_GUESTS ?? e.CHATTER_JWT_SECRET === undefined,
    guestRooms: e.CHATTER_GUEST_ROOMS,
    sessionsPerMinute: e.CHATTER_SESSIONS_PER_MINUTE,
    trustProxy: parseTrustProxy(e.CHATTER_TRUST_PROXY),
    maxConnectionsPerUser: e.CHATTER_MAX_CONNECTIONS_PER_USER,
    maxConnectionsPerAddress: e.CHATTER_MAX_CONNECTIONS_PER_ADDRESS,
    maxRoomsPerConnection: e.CHATTER_MAX_ROOMS_PER_CONNECTION,
    roomsPerMinute: e.CHATTER_ROOMS_PER_MINUTE,
    maxBufferedBytes: e.CHATTER_MAX_BUFFERED_BYTES,
    maxTokenTtlSeconds: e.CHATTER_MAX_TOKEN_TTL,
    sessionTtlSeconds: e.CHATTER_SESSION_TTL_SECONDS,
    presenceGraceMs: e.CHATTER_PRESENCE_GRACE_MS,
    typingTimeoutMs: e.CHATTER_TYPING_TIMEOUT_MS,
    messagesPerMinute: e.CHATTER_MESSAGES_PER_MINUTE,
    eventsPerSecond: e.CHATTER_EVENTS_PER_SECOND,
    readBytesPerSecond: e.CHATTER_READ_BYTES_PER_SECOND,
    refusalsBeforeDisconnect: e.CHATTER_REFUSALS_BEFORE_DISCONNECT,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.CHATTER_REDIS_PREFIX,
    corsOrigins: e.CORS_ORIGINS ?? [],
    logLevel: e.LOG_LEVEL,
  };
};

import { ConnectionString } from 'mongodb-connection-string-url';
import type { ConnectOptions } from 'mongoose';

/** What the MongoDB store needs from the configuration. */
export interface MongoStoreSettings {
  /** A `mongodb://` or `mongodb+srv://` URI, already checked by `loadConfig`. */
  uri: string;
  /** `w` for every write: `'majority'` (the default) or a number of replica-set members. */
  writeConcern: 'majority' | number;
  /** How long a write waits for its write concern before it fails. */
  writeTimeoutMs: number;
}

/** The database used when the URI names none (`mongodb://host:27017`). */
export const DEFAULT_DATABASE = 'chatter';

/** The database the URI names, or `chatter`; mongoose's own fallback would be `test`. */
export const databaseName = (uri: string): string =>
  decodeURIComponent(new ConnectionString(uri).pathname.slice(1)) || DEFAULT_DATABASE;

/**
 * `hosts/database` for log lines and error messages. Never the URI itself, which may carry a
 * password.
 */
export const describeTarget = (uri: string): string =>
  `${new ConnectionString(uri).hosts.join(',')}/${databaseName(uri)}`;

// Write-concern options a URI may carry (the driver reads them case-insensitively).
const WRITE_CONCERN_PARAMS: ReadonlySet<string> = new Set([
  'w',
  'journal',
  'j',
  'wtimeoutms',
  'wtimeout',
  'fsync',
]);

/**
 * The URI without its write-concern options, and the ones removed. The driver lets a URI's
 * `journal=false` win over the `journal: true` we pass, so the only way for the configured write
 * concern to be the one in force is to take them out of the URI.
 */
export const withoutWriteConcern = (uri: string): { uri: string; removed: string[] } => {
  const parsed = new ConnectionString(uri);
  const removed = [...parsed.searchParams.keys()].filter((key) =>
    WRITE_CONCERN_PARAMS.has(key.toLowerCase()),
  );
  for (const key of new Set(removed)) parsed.searchParams.delete(key);
  return { uri: removed.length === 0 ? uri : parsed.toString(), removed };
};

/**
 * Options for `connection.openUri`, with a URI passed through `withoutWriteConcern`. Options
 * given here win over the URI's, so the read preference below holds whatever the URI says.
 */
export const connectOptions = (settings: MongoStoreSettings): ConnectOptions => ({
  dbName: databaseName(settings.uri),
  // An acknowledged message must survive a crash and a failover: acknowledge only once it is
  // in the journal of a majority of members. On a standalone server "majority" is that server.
  // `wtimeoutMS` bounds the wait when too few members are up; the write may still have been
  // applied, and the client's retry with its clientId then returns it.
  writeConcern: {
    w: settings.writeConcern,
    journal: true,
    wtimeoutMS: settings.writeTimeoutMs,
  },
  // Every read goes to the primary with the default "local" read concern, so history read after
  // an acknowledgement contains the message (a secondary may lag behind), and seq allocation
  // sees the newest head. "majority" reads could miss a write acknowledged with a numeric `w`.
  readPreference: 'primary',
  // Wrap any `$`-object found in a filter in `$eq`, so a value that slipped past validation is
  // matched literally and never runs as an operator. Our own operators are marked `trusted`.
  sanitizeFilter: true,
  // Indexes are created on purpose in `openMongoStore`, not when models compile.
  autoIndex: false,
  autoCreate: false,
  // Fail at once when disconnected rather than queue writes that the client is waiting on.
  bufferCommands: false,
});

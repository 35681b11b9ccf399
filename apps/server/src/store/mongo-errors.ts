import { ConfigError } from '../config.js';
import { CHANGE_INDEXES } from '../models/change-model.js';
import { MESSAGE_INDEXES } from '../models/message-model.js';
import { StoreUnavailableError } from './chat-store.js';

/**
 * Which unique index refused an insert: `seq` means another writer took that number first,
 * `clientId` that this message was stored before (a retry), `editClientId` the same for an edit,
 * `chain` that another change of the message was decided on the same state (see
 * `mongo-change-write.ts`), `other` any other unique index.
 */
export type DuplicateKey = 'seq' | 'clientId' | 'editClientId' | 'chain' | 'other';

// By the sorted fields of the index's key pattern, and by the index name for servers that do
// not report the pattern.
const UNIQUE_INDEXES: ReadonlyArray<{ keys: string; name: string; key: DuplicateKey }> = [
  { keys: 'room,seq', name: MESSAGE_INDEXES.roomSeq, key: 'seq' },
  { keys: 'author.id,clientId,room', name: MESSAGE_INDEXES.idempotency, key: 'clientId' },
  { keys: 'by,editClientId,room', name: CHANGE_INDEXES.editIdempotency, key: 'editClientId' },
  { keys: 'messageId,prev', name: CHANGE_INDEXES.chain, key: 'chain' },
];

// 11001 is what servers before 2.6 sent for the same error; cheap to recognise.
const DUPLICATE_KEY_CODES: ReadonlySet<unknown> = new Set([11000, 11001]);

interface ErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  keyPattern?: unknown;
}

const fieldsOf = (error: unknown): ErrorFields =>
  typeof error === 'object' && error !== null ? error : {};

const messageOf = (error: unknown): string => {
  const { message } = fieldsOf(error);
  return typeof message === 'string' && message.length > 0 ? message : String(error);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

/**
 * Classifies a duplicate-key error by the index that raised it, or returns undefined when the
 * error is something else. Read from `keyPattern` (MongoDB ≥ 4.4) and, failing that, from the
 * index name in the message, so a retried clientId is never mistaken for a taken seq.
 */
export const duplicateKeyOf = (error: unknown): DuplicateKey | undefined => {
  const { code, keyPattern } = fieldsOf(error);
  if (!DUPLICATE_KEY_CODES.has(code)) return undefined;
  if (isRecord(keyPattern)) {
    const keys = Object.keys(keyPattern).sort().join(',');
    return UNIQUE_INDEXES.find((index) => index.keys === keys)?.key ?? 'other';
  }
  const message = messageOf(error);
  return UNIQUE_INDEXES.find((index) => message.includes(`index: ${index.name} `))?.key ?? 'other';
};

// Errors the driver raises for a URI or option it cannot use: the operator must fix the setting.
const CONFIGURATION_ERRORS: ReadonlySet<unknown> = new Set([
  'MongoParseError',
  'MongoInvalidArgumentError',
  'MongoMissingCredentialsError',
  'MongoAPIError',
]);

const SERVER_SELECTION_ERRORS: ReadonlySet<unknown> = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
]);

/** A reason an operator can act on, from any error the driver or mongoose raises. */
export const describeMongoError = (error: unknown): string => {
  const { name, code } = fieldsOf(error);
  const message = messageOf(error);
  if (SERVER_SELECTION_ERRORS.has(name)) return `no server could be selected (${message})`;
  if (code === 18)
    return `authentication failed; check the credentials in MONGODB_URI (${message})`;
  if (code === 13) {
    return `not authorized (${message}); the user needs the readWrite role on Chatter's database`;
  }
  return message;
};

// NamespaceExists and WriteConflict: what MongoDB may report when several processes starting on
// an empty database create the same collection at once (createIndexes creates it implicitly).
const CREATION_RACE_CODES: ReadonlySet<unknown> = new Set([48, 112]);

/** Whether a failed index creation lost a race with another process and is worth one more try. */
export const isCreationRace = (error: unknown): boolean =>
  CREATION_RACE_CODES.has(fieldsOf(error).code);

/** The step of opening the store that failed, for the message. */
export type OpenStep = 'connect' | 'create-indexes' | 'check-schema';

/**
 * Turns a failure while opening the store into an error that stops the server with one clear
 * line: a ConfigError when the URI's options are unusable, otherwise a StoreUnavailableError
 * that names MongoDB, where (`hosts/database`, no credentials) and why.
 */
export const openFailure = (error: unknown, target: string, step: OpenStep): Error => {
  const { name } = fieldsOf(error);
  if (CONFIGURATION_ERRORS.has(name)) {
    return new ConfigError(`MONGODB_URI cannot be used: ${messageOf(error)}`, { cause: error });
  }
  const what = {
    connect: `could not connect to MongoDB at ${target}`,
    'create-indexes': `could not create the indexes Chatter needs in MongoDB at ${target}`,
    'check-schema': `could not check the schema version of MongoDB at ${target}`,
  }[step];
  return new StoreUnavailableError(`${what}: ${describeMongoError(error)}`, { cause: error });
};

/**
 * A read that failed in the driver: the queries are built from validated input, so what fails
 * there is MongoDB or the way to it (no server selectable, a network error, a timeout), and the
 * client should hear UNAVAILABLE and retry, not INTERNAL. Anything else (our own checks of the
 * input, a store already closed) is passed on as it is.
 */
export const readFailure = (error: unknown, target: string): unknown => {
  const { name } = fieldsOf(error);
  const fromDriver = typeof name === 'string' && /^Mongo/.test(name);
  if (!fromDriver) return error;
  return new StoreUnavailableError(
    `could not read from MongoDB at ${target}: ${describeMongoError(error)}`,
    { cause: error },
  );
};

/** A failure of a running store's ping, for `/healthz` and its log line. */
export const pingFailure = (error: unknown, target: string): StoreUnavailableError =>
  new StoreUnavailableError(`MongoDB at ${target} is not reachable: ${describeMongoError(error)}`, {
    cause: error,
  });

/**
 * Where an ordered `insertMany` stopped: the driver reports the refused document's index and
 * its error in `writeErrors`; everything before that index was stored. An error without
 * `writeErrors` (the connection, a timeout) stored nothing we can count on.
 */
export const orderedInsertFailure = (error: unknown): { inserted: number; failure: unknown } => {
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  const first = (Array.isArray(writeErrors) ? writeErrors[0] : writeErrors) as
    | { index?: unknown; code?: unknown; errmsg?: unknown; err?: { keyPattern?: unknown } }
    | undefined;
  if (typeof first?.index !== 'number') return { inserted: 0, failure: error };
  return {
    inserted: first.index,
    // The shape `duplicateKeyOf` reads: the code, the key pattern and the index name in the text.
    failure: Object.assign(new Error(String(first.errmsg ?? 'write error')), {
      code: first.code,
      keyPattern: first.err?.keyPattern,
      cause: error,
    }),
  };
};

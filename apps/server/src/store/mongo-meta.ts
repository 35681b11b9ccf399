import type { mongo } from 'mongoose';
import { newEpoch } from '../utils/ids.js';
import { StoreUnavailableError } from './chat-store.js';

/**
 * The `meta` collection: one document for the schema version, one for the default epoch (the
 * epoch a room takes at its first message and reports until then). The pure parts (what to do
 * about a version, the documents and updates) are apart from the database steps so they can be
 * tested without a server.
 *
 * Version 1: rooms are stored from their first message, with the default epoch. Databases from
 * before versions were recorded have no schema document and are stamped as version 1; their
 * room documents stay as they are.
 *
 * Version 2 (issue 13): a room's log holds change entries beside its messages, and every entry
 * carries an `ordinal` (messages up to it). Older logs hold messages only, numbered from 1
 * without a gap, so each message's ordinal is its seq; the upgrade writes that once (one pass
 * over the messages). Run it with every older server stopped: one still running would go on
 * writing messages without an ordinal (the new code then refuses to append after them, saying
 * so) and could not read change entries.
 */
export const MONGO_SCHEMA_VERSION = 2;

export const META_COLLECTION = 'meta';

export interface SchemaDocument {
  _id: 'schema';
  version: number;
  updatedAt: Date;
}

export interface EpochDocument {
  _id: 'default_epoch';
  epoch: string;
}

export type SchemaCheck =
  | { action: 'current' }
  | { action: 'record'; from: number }
  | { action: 'refuse'; message: string };

/** What a starting server does about the recorded version (`undefined`: none recorded yet). */
export const checkSchemaVersion = (recorded: unknown, target: string): SchemaCheck => {
  if (recorded === undefined) return { action: 'record', from: 0 };
  if (typeof recorded !== 'number' || !Number.isSafeInteger(recorded) || recorded < 0) {
    return {
      action: 'refuse',
      message: `MongoDB at ${target} records schema version ${JSON.stringify(recorded)}, which is not a version; check the "${META_COLLECTION}" collection`,
    };
  }
  if (recorded > MONGO_SCHEMA_VERSION) {
    return {
      action: 'refuse',
      message: `MongoDB at ${target} has schema version ${recorded}, newer than this Chatter's ${MONGO_SCHEMA_VERSION}; run the Chatter release that wrote it (or a later one)`,
    };
  }
  return recorded === MONGO_SCHEMA_VERSION
    ? { action: 'current' }
    : { action: 'record', from: recorded };
};

/**
 * Version 2's upgrade: every message without an ordinal gets its seq (see above). A pipeline
 * update, so the server copies the field in place. Idempotent, so servers starting together may
 * all run it.
 */
export const ordinalBackfill = () => ({
  filter: { kind: { $exists: false }, ordinal: { $exists: false } },
  update: [{ $set: { ordinal: '$seq' } }],
});

/** Records the version, but never lowers one a newer server recorded meanwhile. */
export const schemaVersionUpdate = (now: Date) => ({
  filter: { _id: 'schema' as const, version: { $not: { $gt: MONGO_SCHEMA_VERSION } } },
  update: { $set: { version: MONGO_SCHEMA_VERSION, updatedAt: now } },
});

/** Creates the default epoch if it is missing; the first server to start decides it. */
export const defaultEpochCreation = (epoch: string) => ({
  filter: { _id: 'default_epoch' as const },
  update: { $setOnInsert: { epoch } },
});

/**
 * Every room's epoch and the default epoch move to one new epoch: every client, whichever room
 * it holds (stored or not), resets at its next join. Rooms need not have epochs of their own;
 * a client compares the epoch of one room with what it last saw of that same room.
 */
export const epochRotation = (epoch: string) => ({
  rooms: { filter: {}, update: { $set: { epoch } } },
  defaultEpoch: { filter: { _id: 'default_epoch' as const }, update: { $set: { epoch } } },
});

/** Checks (and records) the schema version and makes sure a default epoch exists. */
export const prepareMeta = async (db: mongo.Db, target: string): Promise<void> => {
  const meta = db.collection<SchemaDocument | EpochDocument>(META_COLLECTION);
  const recordedVersion = async () =>
    (await meta.findOne<{ version?: unknown }>({ _id: 'schema' }))?.version;
  const check = checkSchemaVersion(await recordedVersion(), target);
  if (check.action === 'refuse') throw new StoreUnavailableError(check.message);
  if (check.action === 'record') {
    if (check.from < 2) {
      const backfill = ordinalBackfill();
      await db.collection('messages').updateMany(backfill.filter, backfill.update);
    }
    const { filter, update } = schemaVersionUpdate(new Date());
    const result = await meta
      .updateOne(filter, update, { upsert: true })
      .catch((error: unknown) => {
        // The filter missed a newer version and the upsert ran into its _id: refuse below.
        if ((error as { code?: unknown }).code !== 11000) throw error;
        return undefined;
      });
    if (result === undefined) {
      const again = checkSchemaVersion(await recordedVersion(), target);
      if (again.action === 'refuse') throw new StoreUnavailableError(again.message);
    }
  }
  const { filter, update } = defaultEpochCreation(newEpoch());
  await meta.updateOne(filter, update, { upsert: true }).catch((error: unknown) => {
    // Another server created it at the same moment: it exists, which is all that is needed.
    if ((error as { code?: unknown }).code !== 11000) throw error;
  });
};

/** The default epoch; `prepareMeta` has made sure it exists. */
export const readDefaultEpoch = async (db: mongo.Db): Promise<string> => {
  const doc = await db.collection<EpochDocument>(META_COLLECTION).findOne({ _id: 'default_epoch' });
  if (!doc) throw new Error(`the "${META_COLLECTION}" collection has no default epoch`);
  return doc.epoch;
};

/** Rotates every epoch (see `epochRotation`); returns how many rooms it changed. */
export const rotateMongoEpochs = async (
  db: mongo.Db,
): Promise<{ rooms: number; epoch: string }> => {
  const epoch = newEpoch();
  const rotation = epochRotation(epoch);
  const meta = db.collection<EpochDocument>(META_COLLECTION);
  await meta.updateOne(rotation.defaultEpoch.filter, rotation.defaultEpoch.update, {
    upsert: true,
  });
  const { modifiedCount } = await db
    .collection('rooms')
    .updateMany(rotation.rooms.filter, rotation.rooms.update);
  return { rooms: modifiedCount, epoch };
};

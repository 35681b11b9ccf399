import { describe, expect, it } from 'vitest';
import {
  checkSchemaVersion,
  defaultEpochCreation,
  epochRotation,
  MONGO_SCHEMA_VERSION,
  ordinalBackfill,
  schemaVersionUpdate,
} from './mongo-meta.js';

const TARGET = 'db.example:27017/chatter';

describe('checkSchemaVersion', () => {
  it('records the version on a database that has none (new, or from before versions)', () => {
    expect(checkSchemaVersion(undefined, TARGET)).toEqual({ action: 'record', from: 0 });
  });

  it('goes ahead on the current version', () => {
    expect(checkSchemaVersion(MONGO_SCHEMA_VERSION, TARGET)).toEqual({ action: 'current' });
  });

  it('records the current version over an older one', () => {
    expect(MONGO_SCHEMA_VERSION).toBe(2);
    expect(checkSchemaVersion(0, TARGET)).toEqual({ action: 'record', from: 0 });
    expect(checkSchemaVersion(1, TARGET)).toEqual({ action: 'record', from: 1 });
  });

  it('refuses a newer version with one line naming the database and both versions', () => {
    expect(checkSchemaVersion(MONGO_SCHEMA_VERSION + 1, TARGET)).toEqual({
      action: 'refuse',
      message: `MongoDB at ${TARGET} has schema version ${MONGO_SCHEMA_VERSION + 1}, newer than this Chatter's ${MONGO_SCHEMA_VERSION}; run the Chatter release that wrote it (or a later one)`,
    });
  });

  it.each([['2'], [-1], [1.5], [null], [{ $gt: 0 }], [Number.NaN]])(
    'refuses a version that is not one (%j)',
    (recorded) => {
      const check = checkSchemaVersion(recorded, TARGET);
      expect(check.action).toBe('refuse');
      if (check.action === 'refuse') expect(check.message).toContain('which is not a version');
    },
  );
});

describe('the meta documents', () => {
  it('records the version only where no newer one is recorded', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(schemaVersionUpdate(now)).toEqual({
      filter: { _id: 'schema', version: { $not: { $gt: MONGO_SCHEMA_VERSION } } },
      update: { $set: { version: MONGO_SCHEMA_VERSION, updatedAt: now } },
    });
  });

  it('creates the default epoch only if it is missing', () => {
    expect(defaultEpochCreation('e1')).toEqual({
      filter: { _id: 'default_epoch' },
      update: { $setOnInsert: { epoch: 'e1' } },
    });
  });

  it('rotates every room and the default epoch to the same new epoch', () => {
    expect(epochRotation('e2')).toEqual({
      rooms: { filter: {}, update: { $set: { epoch: 'e2' } } },
      defaultEpoch: { filter: { _id: 'default_epoch' }, update: { $set: { epoch: 'e2' } } },
    });
  });
});

describe('the upgrade to version 2', () => {
  it('gives every message without an ordinal its seq, in place, and leaves change entries alone', () => {
    expect(ordinalBackfill()).toEqual({
      filter: { kind: { $exists: false }, ordinal: { $exists: false } },
      update: [{ $set: { ordinal: '$seq' } }],
    });
  });
});

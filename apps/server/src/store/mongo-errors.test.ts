import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { CHANGE_INDEXES } from '../models/change-model.js';
import { MESSAGE_INDEXES } from '../models/message-model.js';
import { asAppError } from '../utils/errors.js';
import { StoreUnavailableError } from './chat-store.js';
import {
  describeMongoError,
  duplicateKeyOf,
  isCreationRace,
  openFailure,
  orderedInsertFailure,
  pingFailure,
  readFailure,
} from './mongo-errors.js';
import { InvalidStoreInputError } from './mongo-queries.js';

const { MongoServerError, MongoParseError, MongoNetworkError, MongoInvalidArgumentError } =
  mongoose.mongo;

/** A duplicate-key error as the server sends it for an insert into `messages`. */
const duplicateKey = (index: string, keyPattern?: Record<string, 1>) =>
  new MongoServerError({
    message: `E11000 duplicate key error collection: chatter.messages index: ${index} dup key: { }`,
    code: 11000,
    ...(keyPattern ? { keyPattern, keyValue: {} } : {}),
  });

describe('duplicateKeyOf', () => {
  it('tells a taken seq from a retried clientId by the key pattern', () => {
    expect(duplicateKeyOf(duplicateKey(MESSAGE_INDEXES.roomSeq, { room: 1, seq: 1 }))).toBe('seq');
    expect(
      duplicateKeyOf(
        duplicateKey(MESSAGE_INDEXES.idempotency, { room: 1, 'author.id': 1, clientId: 1 }),
      ),
    ).toBe('clientId');
  });

  it("tells a change's chain and edit idempotency indexes apart", () => {
    expect(duplicateKeyOf(duplicateKey(CHANGE_INDEXES.chain, { messageId: 1, prev: 1 }))).toBe(
      'chain',
    );
    expect(
      duplicateKeyOf(
        duplicateKey(CHANGE_INDEXES.editIdempotency, { room: 1, by: 1, editClientId: 1 }),
      ),
    ).toBe('editClientId');
    expect(duplicateKeyOf(duplicateKey(CHANGE_INDEXES.chain))).toBe('chain');
    expect(duplicateKeyOf(duplicateKey(CHANGE_INDEXES.editIdempotency))).toBe('editClientId');
  });

  it('goes by the index name in the message when the server sends no key pattern', () => {
    expect(duplicateKeyOf(duplicateKey(MESSAGE_INDEXES.roomSeq))).toBe('seq');
    expect(duplicateKeyOf(duplicateKey(MESSAGE_INDEXES.idempotency))).toBe('clientId');
    // A name that merely starts like ours is another index.
    expect(duplicateKeyOf(duplicateKey(`${MESSAGE_INDEXES.roomSeq}_old`))).toBe('other');
  });

  it('calls a duplicate on any other unique index "other"', () => {
    expect(duplicateKeyOf(duplicateKey('_id_', { _id: 1 }))).toBe('other');
    expect(duplicateKeyOf(duplicateKey('room_1', { room: 1 }))).toBe('other');
  });

  it('returns undefined for anything that is not a duplicate-key error', () => {
    for (const error of [
      new MongoServerError({ message: 'not primary', code: 10107 }),
      new MongoNetworkError('connection reset'),
      new Error(`E11000 duplicate key error index: ${MESSAGE_INDEXES.roomSeq} `),
      { code: '11000' },
      null,
      undefined,
      'E11000',
    ]) {
      expect(duplicateKeyOf(error)).toBeUndefined();
    }
  });
});

describe('describeMongoError', () => {
  it('says what failed in words an operator can act on', () => {
    expect(
      describeMongoError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
          name: 'MongooseServerSelectionError',
        }),
      ),
    ).toBe('no server could be selected (connect ECONNREFUSED 127.0.0.1:1)');
    expect(
      describeMongoError(new MongoServerError({ message: 'Authentication failed.', code: 18 })),
    ).toBe('authentication failed; check the credentials in MONGODB_URI (Authentication failed.)');
    expect(
      describeMongoError(new MongoServerError({ message: 'not authorized on chat', code: 13 })),
    ).toMatch(/^not authorized \(not authorized on chat\); the user needs the readWrite role/);
    expect(describeMongoError(new MongoNetworkError('connection reset'))).toBe('connection reset');
    expect(describeMongoError('plain string')).toBe('plain string');
  });
});

describe('openFailure', () => {
  const target = 'db1:27017,db2:27017/chatter';

  it('makes an unreachable server a StoreUnavailableError naming MongoDB, where and why', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:27017'), {
      name: 'MongooseServerSelectionError',
    });
    const error = openFailure(cause, target, 'connect');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe(
      'could not connect to MongoDB at db1:27017,db2:27017/chatter: ' +
        'no server could be selected (connect ECONNREFUSED 10.0.0.1:27017)',
    );
    expect(error.cause).toBe(cause);
  });

  it('names index creation when that is the step that failed', () => {
    const cause = new MongoServerError({ message: 'Index build failed: E11000', code: 11000 });
    const error = openFailure(cause, target, 'create-indexes');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe(
      'could not create the indexes Chatter needs in MongoDB at db1:27017,db2:27017/chatter: ' +
        'Index build failed: E11000',
    );
  });

  it('makes an unusable URI option a ConfigError', () => {
    for (const cause of [
      new MongoParseError('Expected serverSelectionTimeoutMS to be stringified int value'),
      new MongoInvalidArgumentError('readPreference must be a string'),
    ]) {
      const error = openFailure(cause, target, 'connect');
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe(`MONGODB_URI cannot be used: ${cause.message}`);
    }
  });
});

describe('readFailure', () => {
  it('turns a driver failure during a read into UNAVAILABLE, naming MongoDB and the reason', () => {
    const error = readFailure(new MongoNetworkError('socket hang up'), 'db1:27017/chatter');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe(
      'could not read from MongoDB at db1:27017/chatter: socket hang up',
    );
    expect(asAppError(error)?.toPayload()).toMatchObject({
      code: 'UNAVAILABLE',
      details: { retryAfterMs: expect.any(Number) },
    });
  });

  it('passes on what did not come from the driver: our own input checks, a closed store', () => {
    const closed = new StoreUnavailableError('the MongoDB store is closed');
    expect(readFailure(closed, 'db1:27017/chatter')).toBe(closed);
    const ours = new InvalidStoreInputError('room: expected string');
    expect(readFailure(ours, 'db1:27017/chatter')).toBe(ours);
  });
});

describe('pingFailure', () => {
  it('names MongoDB and the reason, for the health check log line', () => {
    const error = pingFailure(new MongoNetworkError('connection timed out'), 'db1:27017/chatter');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error.message).toBe(
      'MongoDB at db1:27017/chatter is not reachable: connection timed out',
    );
  });
});

describe('isCreationRace', () => {
  it('retries only the errors of two processes creating one collection at once', () => {
    const serverError = (code: number) => new MongoServerError({ message: 'x', code });
    expect(isCreationRace(serverError(48))).toBe(true); // NamespaceExists
    expect(isCreationRace(serverError(112))).toBe(true); // WriteConflict
    expect(isCreationRace(serverError(85))).toBe(false); // IndexOptionsConflict: ours to fix
    expect(isCreationRace(serverError(11000))).toBe(false); // duplicates in the data
    expect(isCreationRace(new MongoNetworkError('reset'))).toBe(false);
  });
});

describe('orderedInsertFailure', () => {
  it('reads where an ordered insert stopped, keeping what duplicateKeyOf needs', () => {
    const bulk = Object.assign(new Error('bulk write failed'), {
      writeErrors: [
        {
          index: 2,
          code: 11000,
          errmsg: `E11000 duplicate key error index: ${MESSAGE_INDEXES.roomSeq} dup key`,
          err: { keyPattern: { room: 1, seq: 1 } },
        },
      ],
    });
    const { inserted, failure } = orderedInsertFailure(bulk);
    expect(inserted).toBe(2);
    expect(duplicateKeyOf(failure)).toBe('seq');
    expect((failure as Error).cause).toBe(bulk);
  });

  it('counts nothing stored for an error that is not a write error', () => {
    const network = new MongoNetworkError('connection reset');
    expect(orderedInsertFailure(network)).toEqual({ inserted: 0, failure: network });
  });
});

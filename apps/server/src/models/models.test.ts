import { LIMITS } from '@chatter/protocol';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { MESSAGE_INDEXES, messageSchema } from './message-model.js';
import { registerModels } from './models.js';
import { roomSchema } from './room-model.js';
import { userSchema } from './user-model.js';

// Models compiled on a connection that never opens: validation and casting need no server.
const { Room, Message, User } = registerModels(mongoose.createConnection());

const validMessage = {
  _id: 'b1946ac9-2b1a-4a36-a5f0-7b1c2d3e4f50',
  room: 'general',
  seq: 1,
  author: { id: 'user-ada', name: 'Ada' },
  text: 'hello',
  clientId: 'client-1',
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
};

/** The paths that fail validation (`validateSync` is deprecated in mongoose 9). */
const invalidPaths = async (doc: { validate(): Promise<void> }): Promise<string[]> => {
  try {
    await doc.validate();
    return [];
  } catch (error) {
    if (!(error instanceof mongoose.Error.ValidationError)) throw error;
    return Object.keys(error.errors).sort();
  }
};

describe('message model', () => {
  it('accepts a message with or without a clientId', async () => {
    expect(await invalidPaths(new Message(validMessage))).toEqual([]);
    const { clientId: _, ...plain } = validMessage;
    const doc = new Message(plain);
    expect(await invalidPaths(doc)).toEqual([]);
    // Absent, not null: a null would be indexed by the idempotency index and collide.
    expect(doc.toObject()).not.toHaveProperty('clientId');
  });

  it('requires every field but clientId', async () => {
    expect(await invalidPaths(new Message({}))).toEqual(
      ['_id', 'author', 'createdAt', 'room', 'seq', 'text'].sort(),
    );
    expect(await invalidPaths(new Message({ ...validMessage, author: {} }))).toEqual([
      'author.id',
      'author.name',
    ]);
  });

  it.each([
    ['room', { room: 'General Room' }],
    ['seq', { seq: 0 }],
    ['seq', { seq: 1.5 }],
    ['seq', { seq: -3 }],
    ['clientId', { clientId: 'has spaces' }],
    ['clientId', { clientId: 'x'.repeat(LIMITS.clientIdMaxLength + 1) }],
    ['author.id', { author: { id: 'u'.repeat(LIMITS.userIdMaxLength + 1), name: 'Ada' } }],
    ['text', { text: '' }],
  ])('refuses a bad %s', async (path, change) => {
    expect(await invalidPaths(new Message({ ...validMessage, ...change }))).toEqual([path]);
  });

  it('refuses fields the schema does not know instead of dropping them', async () => {
    expect(() => new Message({ ...validMessage, admin: true })).toThrowError(/not in schema/);
    const author = { id: 'user-ada', name: 'Ada', role: 'admin' };
    expect(await invalidPaths(new Message({ ...validMessage, author }))).toEqual(['author']);
  });

  it('keeps text exactly as given', () => {
    const text = '  spaced \n\t text  ';
    expect(new Message({ ...validMessage, text }).text).toBe(text);
  });

  it('declares a unique (room, seq) index and a partial unique idempotency index', () => {
    expect(messageSchema.indexes()).toEqual([
      [
        { room: 1, seq: 1 },
        { name: MESSAGE_INDEXES.roomSeq, unique: true },
      ],
      [
        { room: 1, 'author.id': 1, clientId: 1 },
        {
          name: MESSAGE_INDEXES.idempotency,
          unique: true,
          partialFilterExpression: { clientId: { $exists: true } },
        },
      ],
    ]);
  });
});

describe('room model', () => {
  const validRoom = { _id: 'general', epoch: 'epoch-1', head: 0, createdAt: new Date() };

  it('accepts a room and refuses a bad name, head or missing epoch', async () => {
    expect(await invalidPaths(new Room(validRoom))).toEqual([]);
    expect(await invalidPaths(new Room({ ...validRoom, _id: '-bad' }))).toEqual(['_id']);
    expect(await invalidPaths(new Room({ ...validRoom, head: -1 }))).toEqual(['head']);
    expect(await invalidPaths(new Room({ ...validRoom, head: 2.5 }))).toEqual(['head']);
    expect(await invalidPaths(new Room({ ...validRoom, epoch: undefined }))).toEqual(['epoch']);
  });

  it('has no index but _id: rooms are only read by name', () => {
    expect(roomSchema.indexes()).toEqual([]);
  });
});

describe('user model', () => {
  it('accepts a user, with lastSeen defaulting to null', async () => {
    const user = new User({ _id: 'user-ada', name: 'Ada' });
    expect(await invalidPaths(user)).toEqual([]);
    expect(user.lastSeen).toBeNull();
    expect(await invalidPaths(new User({ _id: '', name: 'Ada' }))).toEqual(['_id']);
    expect(await invalidPaths(new User({ _id: 'user-ada' }))).toEqual(['name']);
  });

  it('has no index but _id: users are only read by id', () => {
    expect(userSchema.indexes()).toEqual([]);
  });
});

describe('schema options', () => {
  it.each([
    ['rooms', roomSchema],
    ['messages', messageSchema],
    ['users', userSchema],
  ])(
    '%s: strict, no version key, no automatic indexes or collections, no buffering',
    (name, schema) => {
      expect(schema.get('collection')).toBe(name);
      expect(schema.get('strict')).toBe('throw');
      expect(schema.get('strictQuery')).toBe('throw');
      expect(schema.get('versionKey')).toBe(false);
      expect(schema.get('autoIndex')).toBe(false);
      expect(schema.get('autoCreate')).toBe(false);
      expect(schema.get('bufferCommands')).toBe(false);
    },
  );
});

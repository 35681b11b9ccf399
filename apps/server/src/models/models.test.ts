import { LIMITS } from '@chatter/protocol';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { CHANGE_INDEXES, changeSchema } from './change-model.js';
import { MEMBERSHIP_INDEXES, membershipSchema } from './membership-model.js';
import { MESSAGE_INDEXES, messageSchema } from './message-model.js';
import { registerModels } from './models.js';
import { roomSchema } from './room-model.js';
import { userSchema } from './user-model.js';

// Models compiled on a connection that never opens: validation and casting need no server.
const { Room, Message, Change, Membership, User } = registerModels(mongoose.createConnection());

const validMessage = {
  _id: 'b1946ac9-2b1a-4a36-a5f0-7b1c2d3e4f50',
  room: 'general',
  seq: 1,
  ordinal: 1,
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
    // A new message has no change fields at all, not even an empty reactions list.
    expect(Object.keys(doc.toObject()).sort()).toEqual(
      ['_id', 'author', 'createdAt', 'ordinal', 'room', 'seq', 'text'].sort(),
    );
  });

  it('accepts a message in any later state: edited, reacted to, replying', async () => {
    const changed = new Message({
      ...validMessage,
      replyTo: '0192c5e1-aaaa-7bbb-8ccc-dddddddddddd',
      editedAt: new Date(),
      lastChangeSeq: 4,
      reactions: [
        {
          emoji: '👍',
          users: ['user-bob', 'user-eve'],
        },
      ],
    });
    expect(await invalidPaths(changed)).toEqual([]);
  });

  it('a deleted message is a tombstone: no text required, and none allowed', async () => {
    const { text: _, ...textless } = validMessage;
    expect(await invalidPaths(new Message({ ...textless, deletedAt: new Date() }))).toEqual([]);
    expect(await invalidPaths(new Message({ ...validMessage, deletedAt: new Date() }))).toEqual([
      'text',
    ]);
    expect(await invalidPaths(new Message(textless))).toEqual(['text']);
  });

  it('refuses an empty reactions list, a reaction without users, and too many emoji', async () => {
    const reaction = (emoji: string) => ({ emoji, users: ['user-bob'] });
    const tooMany = Array.from({ length: LIMITS.reactionsPerMessageMax + 1 }, (_, i) =>
      reaction(String.fromCodePoint(0x1f600 + i)),
    );
    expect(await invalidPaths(new Message({ ...validMessage, reactions: [] }))).toEqual([
      'reactions',
    ]);
    expect(await invalidPaths(new Message({ ...validMessage, reactions: tooMany }))).toEqual([
      'reactions',
    ]);
    const empty = [{ emoji: '👍', users: [] }];
    expect(await invalidPaths(new Message({ ...validMessage, reactions: empty }))).toEqual([
      'reactions.0.users',
    ]);
  });

  it('requires every field but clientId and the change fields', async () => {
    expect(await invalidPaths(new Message({}))).toEqual(
      ['_id', 'author', 'createdAt', 'ordinal', 'room', 'seq', 'text'].sort(),
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
    ['ordinal', { ordinal: 0 }],
    ['ordinal', { ordinal: 2.5 }],
    ['_id', { _id: 'not an id!' }],
    ['replyTo', { replyTo: { $ne: null } }],
    ['lastChangeSeq', { lastChangeSeq: 0 }],
    ['kind', { kind: 'change' }],
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

  it('declares the seq and idempotency indexes, and the two behind unread counts', () => {
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
      [{ room: 1, 'author.id': 1, seq: 1 }, { name: MESSAGE_INDEXES.authorSeq }],
      [
        { room: 1, seq: 1, deletedAt: 1 },
        {
          name: MESSAGE_INDEXES.deleted,
          partialFilterExpression: { deletedAt: { $exists: true } },
        },
      ],
    ]);
  });
});

describe('change model', () => {
  const validChange = {
    _id: '0192c5e1-aaaa-7bbb-8ccc-000000000001',
    room: 'general',
    seq: 5,
    ordinal: 3,
    kind: 'change',
    type: 'edited',
    messageId: validMessage._id,
    prev: 0,
    by: 'user-ada',
    at: new Date('2026-01-02T03:04:05.678Z'),
    text: 'fixed',
    editClientId: 'edit-1',
    pending: true,
  };

  it('accepts each type of entry, pending or applied', async () => {
    expect(await invalidPaths(new Change(validChange))).toEqual([]);
    const { text: _, editClientId: __, pending: ___, ...bare } = validChange;
    for (const [type, extra] of [
      ['deleted', {}],
      ['reaction_added', { emoji: '👍' }],
      ['reaction_removed', { emoji: '👩🏽‍💻' }],
    ] as const) {
      expect(await invalidPaths(new Change({ ...bare, type, ...extra }))).toEqual([]);
    }
  });

  it('requires the log fields and refuses a bad type, kind or chain link', async () => {
    expect(await invalidPaths(new Change({}))).toEqual(
      ['_id', 'at', 'by', 'kind', 'messageId', 'ordinal', 'prev', 'room', 'seq', 'type'].sort(),
    );
    for (const [path, change] of [
      ['type', { type: 'renamed' }],
      ['kind', { kind: 'message' }],
      ['prev', { prev: -1 }],
      ['prev', { prev: 1.5 }],
      ['ordinal', { ordinal: -1 }],
      ['seq', { seq: 0 }],
      ['pending', { pending: false }],
      ['editClientId', { editClientId: 'has spaces' }],
      ['emoji', { emoji: 'x'.repeat(LIMITS.emojiMaxLength + 1) }],
    ] as const) {
      expect(await invalidPaths(new Change({ ...validChange, ...change }))).toEqual([path]);
    }
  });

  it('has no clientId field, so the messages idempotency index never sees an entry', () => {
    expect(changeSchema.path('clientId')).toBeUndefined();
    expect(() => new Change({ ...validChange, clientId: 'c-1' })).toThrowError(/not in schema/);
  });

  it('declares the chain, edit idempotency and pending indexes, all partial', () => {
    expect(changeSchema.indexes()).toEqual([
      [
        { messageId: 1, prev: 1 },
        { name: CHANGE_INDEXES.chain, unique: true, partialFilterExpression: { kind: 'change' } },
      ],
      [
        { room: 1, by: 1, editClientId: 1 },
        {
          name: CHANGE_INDEXES.editIdempotency,
          unique: true,
          partialFilterExpression: { editClientId: { $exists: true } },
        },
      ],
      [
        { room: 1, pending: 1, seq: 1 },
        { name: CHANGE_INDEXES.pending, partialFilterExpression: { pending: true } },
      ],
    ]);
  });
});

describe('membership model', () => {
  const validMembership = {
    userId: 'user-ada',
    room: 'general',
    joinedAt: new Date(),
    readSeq: 0,
  };

  it('accepts a membership and refuses a bad room or read position', async () => {
    expect(await invalidPaths(new Membership(validMembership))).toEqual([]);
    expect(await invalidPaths(new Membership({ ...validMembership, room: 'No' }))).toEqual([
      'room',
    ]);
    expect(await invalidPaths(new Membership({ ...validMembership, readSeq: -1 }))).toEqual([
      'readSeq',
    ]);
    expect(await invalidPaths(new Membership({}))).toEqual(
      ['joinedAt', 'readSeq', 'room', 'userId'].sort(),
    );
  });

  it('is unique per user and room, and indexed by room for read receipts', () => {
    expect(membershipSchema.indexes()).toEqual([
      [
        { userId: 1, room: 1 },
        { name: MEMBERSHIP_INDEXES.userRoom, unique: true },
      ],
      [{ room: 1, readSeq: -1, userId: 1 }, { name: MEMBERSHIP_INDEXES.roomReads }],
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
    // Change entries share the messages' collection, and so their `(room, seq)` index.
    ['messages', changeSchema],
    ['memberships', membershipSchema],
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

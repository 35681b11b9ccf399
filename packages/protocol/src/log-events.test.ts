import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { clientEventSchemas, LIMITS, ReadStateSchema, serverEventSchemas } from './index.js';

// The events of the room log (edit, delete, react, unreact, read, rooms) and a reply's `replyTo`.
// events.test.ts checks every payload for strictness, `$` keys and `__proto__`; these are the rules
// of each field.

const pathsOf = (schema: z.ZodMiniType, input: unknown) =>
  schema.safeParse(input).error?.issues.map((issue) => issue.path.join('.')) ?? [];

describe('message { replyTo }', () => {
  const send = (replyTo: unknown) => ({ room: 'general', text: 'agreed', replyTo });

  it.each(['0b6a6f4e-3c1d-4e8a-9d4b-3f2a1c0e9b7d', '65a1f0c2e4b0a1b2c3d4e5f6'])(
    'accepts the id %j',
    (id) => {
      expect(clientEventSchemas.message.parse(send(id))).toEqual(send(id));
    },
  );

  it.each(['', '$gt', 'm 1', 'x'.repeat(65), 7])('refuses replyTo %j', (id) => {
    expect(pathsOf(clientEventSchemas.message, send(id))).toEqual(['replyTo']);
  });
});

describe('edit', () => {
  const edit = (patch: object) => ({ room: 'general', id: 'm1', text: 'fixed', ...patch });

  it('accepts an edit without clientId', () => {
    expect(clientEventSchemas.edit.parse(edit({}))).toEqual(edit({}));
  });

  it.each([
    ['an empty text: deleting is `delete`', { text: '' }, 'text'],
    ['a blank text', { text: '  ' }, 'text'],
    ['a text over the limit', { text: 'x'.repeat(LIMITS.messageTextMaxLength + 1) }, 'text'],
    ['an id that is no message id', { id: '$gt' }, 'id'],
    ['a clientId with a space', { clientId: 'e 1' }, 'clientId'],
    ['an invalid room', { room: 'General' }, 'room'],
  ])('refuses %s', (_, patch, field) => {
    expect(new Set(pathsOf(clientEventSchemas.edit, edit(patch)))).toEqual(new Set([field]));
  });

  it.each(['room', 'id', 'text'])('refuses an edit without %s', (field) => {
    const payload = Object.fromEntries(Object.entries(edit({})).filter(([key]) => key !== field));
    expect(pathsOf(clientEventSchemas.edit, payload)).toEqual([field]);
  });
});

describe('delete', () => {
  it('takes a room and an id, nothing else', () => {
    expect(clientEventSchemas.delete.parse({ room: 'general', id: 'm1' })).toEqual({
      room: 'general',
      id: 'm1',
    });
    expect(
      clientEventSchemas.delete.safeParse({ room: 'general', id: 'm1', text: '' }).success,
    ).toBe(false);
    expect(pathsOf(clientEventSchemas.delete, { room: 'general' })).toEqual(['id']);
  });
});

describe.each(['react', 'unreact'] as const)('%s', (event) => {
  const schema = clientEventSchemas[event];
  const reaction = (emoji: unknown) => ({ room: 'general', id: 'm1', emoji });

  it.each(['👍', '❤️', '🇫🇷', '👩🏽‍💻', '1️⃣'])('accepts %s', (emoji) => {
    expect(schema.parse(reaction(emoji))).toEqual(reaction(emoji));
  });

  it.each(['', 'a', ':+1:', '👍👍', '🏽', '\ud83d', '👍'.repeat(20)])('refuses %j', (emoji) => {
    expect(pathsOf(schema, reaction(emoji))).toEqual(['emoji']);
  });
});

describe('read', () => {
  const read = (seq: unknown) => ({ room: 'general', seq });

  it.each([0, 1, 2 ** 40])('accepts seq %d', (seq) => {
    expect(clientEventSchemas.read.parse(read(seq))).toEqual(read(seq));
  });

  it.each([-1, 1.5, Number.NaN, '3', null])('refuses seq %j', (seq) => {
    expect(pathsOf(clientEventSchemas.read, read(seq))).toEqual(['seq']);
  });

  it('is answered, and echoed to the user, with the read state', () => {
    const state = { room: 'general', seq: 12, unread: 0, head: 15 };
    expect(serverEventSchemas.read.parse(state)).toEqual(state);
    expect(ReadStateSchema.safeParse({ ...state, unread: 1.5 }).success).toBe(false);
    expect(ReadStateSchema.safeParse({ ...state, head: -1 }).success).toBe(false);
  });
});

describe('rooms', () => {
  it('takes an empty object', () => {
    expect(clientEventSchemas.rooms.parse({})).toEqual({});
  });

  it('refuses any field, a room included', () => {
    expect(clientEventSchemas.rooms.safeParse({ room: 'general' }).success).toBe(false);
  });
});

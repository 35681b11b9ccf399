import type { Message, Presence, TypingEvent } from '@chatter/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ChatterClient,
  type ChatterError,
  type ChatterErrorCode,
  type ConnectionStatus,
  createChatterClient,
  type HistoryPage,
  isChatterError,
  type MessageChange,
  type OutboxEntryKind,
  type PendingMessage,
  type ReadState,
  type ReceiptsEvent,
  type Room,
  type RoomReset,
  type RoomSummary,
} from './index.js';

declare const chat: ChatterClient;
declare const room: Room;

describe('createChatterClient', () => {
  it('takes a token or getToken, not both and not neither', () => {
    createChatterClient({ url: 'http://localhost:3000', token: 't' });
    createChatterClient({ url: 'http://localhost:3000', getToken: async () => 't' });
    // @ts-expect-error: a token is required one way or the other
    createChatterClient({ url: 'http://localhost:3000' });
    // @ts-expect-error: both at once is ambiguous
    createChatterClient({ url: 'http://localhost:3000', token: 't', getToken: () => 't' });
  });
});

describe('client events', () => {
  it('types each listener by event name', () => {
    chat.on('presence', (presence) => expectTypeOf(presence).toEqualTypeOf<Presence>());
    chat.on('status', (status) => expectTypeOf(status).toEqualTypeOf<ConnectionStatus>());
    chat.on('error', (error) => expectTypeOf(error).toEqualTypeOf<ChatterError>());
    chat.on('pending', (pending) =>
      expectTypeOf(pending).toEqualTypeOf<readonly PendingMessage[]>(),
    );
    expectTypeOf(chat.on('status', () => {})).toEqualTypeOf<() => void>();
    // @ts-expect-error: misspelt event
    chat.on('presense', () => {});
  });

  it('returns typed results', () => {
    expectTypeOf(chat.join('general')).toEqualTypeOf<Promise<Room>>();
    expectTypeOf(chat.rooms()).toEqualTypeOf<Promise<RoomSummary[]>>();
    expectTypeOf(chat.joinedRooms).toEqualTypeOf<readonly Room[]>();
    expectTypeOf(chat.status(['a'])).toEqualTypeOf<Promise<Presence[]>>();
    // @ts-expect-error: user ids are strings
    chat.status([1]);
  });
});

describe('rooms', () => {
  it('types messages, sends and history', () => {
    expectTypeOf(room.messages).toEqualTypeOf<readonly Message[]>();
    expectTypeOf(room.pending).toEqualTypeOf<readonly PendingMessage[]>();
    expectTypeOf(room.send('hi')).toEqualTypeOf<Promise<Message>>();
    expectTypeOf(room.history({ before: 10, limit: 50 })).toEqualTypeOf<Promise<HistoryPage>>();
    // @ts-expect-error: text is a string
    room.send({ text: 'hi' });
    // @ts-expect-error: unknown history option
    room.history({ from: 3 });
  });

  it('types changes to messages and read state', () => {
    expectTypeOf(room.send('hi', { replyTo: 'm1' })).toEqualTypeOf<Promise<Message>>();
    expectTypeOf(room.edit('m1', 'hello')).toEqualTypeOf<Promise<Message>>();
    expectTypeOf(room.delete('m1')).toEqualTypeOf<Promise<Message>>();
    expectTypeOf(room.react('m1', '👍')).toEqualTypeOf<Promise<Message>>();
    expectTypeOf(room.unreact('m1', '👍')).toEqualTypeOf<Promise<Message>>();
    expectTypeOf(room.markRead()).toEqualTypeOf<Promise<ReadState>>();
    expectTypeOf(room.readBy('m1')).toEqualTypeOf<readonly string[]>();
    expectTypeOf(room.readPositions).toEqualTypeOf<ReadonlyMap<string, number>>();
    expectTypeOf(room.unreadCount).toEqualTypeOf<number>();
    expectTypeOf(room.pending[0]?.kind).toEqualTypeOf<OutboxEntryKind | undefined>();
    // @ts-expect-error: the reply option is the parent's id
    room.send('hi', { replyTo: 3 });
    // @ts-expect-error: an edit needs the new text
    room.edit('m1');
  });

  it('types room events', () => {
    room.on('message', (message) => expectTypeOf(message).toEqualTypeOf<Message>());
    room.on('typing', (event) => expectTypeOf(event).toEqualTypeOf<TypingEvent>());
    room.on('reset', (reset) => expectTypeOf(reset).toEqualTypeOf<RoomReset>());
    room.on('edited', (change) => expectTypeOf(change).toEqualTypeOf<MessageChange>());
    room.on('deleted', (change) => expectTypeOf(change).toEqualTypeOf<MessageChange>());
    room.on('reaction', (change) => expectTypeOf(change).toEqualTypeOf<MessageChange>());
    room.on('read', (state) => expectTypeOf(state).toEqualTypeOf<ReadState>());
    room.on('receipts', (event) => expectTypeOf(event).toEqualTypeOf<ReceiptsEvent>());
    // @ts-expect-error: misspelt event
    room.on('mesage', () => {});
  });
});

describe('errors', () => {
  it('narrows with isChatterError', () => {
    const value: unknown = null;
    if (isChatterError(value)) {
      expectTypeOf(value.code).toEqualTypeOf<ChatterErrorCode>();
      expectTypeOf(value.status).toEqualTypeOf<number | undefined>();
    }
  });
});

import type { Message, Presence, TypingEvent, UserStatus } from '@chatter/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type ChatterClient,
  type ChatterError,
  type ChatterErrorCode,
  type ConnectionStatus,
  createChatterClient,
  type HistoryPage,
  isChatterError,
  type PendingMessage,
  type Room,
  type RoomReset,
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
    expectTypeOf(chat.status(['a'])).toEqualTypeOf<Promise<UserStatus[]>>();
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

  it('types room events', () => {
    room.on('message', (message) => expectTypeOf(message).toEqualTypeOf<Message>());
    room.on('typing', (event) => expectTypeOf(event).toEqualTypeOf<TypingEvent>());
    room.on('reset', (reset) => expectTypeOf(reset).toEqualTypeOf<RoomReset>());
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

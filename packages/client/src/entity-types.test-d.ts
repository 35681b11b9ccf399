import type * as Protocol from '@chatter/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import type * as Client from './index.js';

// An app installs `@chatter/client` alone: the types it handles come from there, and they are
// the protocol's, so a value typed with one is the other.
describe('entity types from @chatter/client', () => {
  it('are the protocol types', () => {
    expectTypeOf<Client.Message>().toEqualTypeOf<Protocol.Message>();
    expectTypeOf<Client.User>().toEqualTypeOf<Protocol.User>();
    expectTypeOf<Client.Presence>().toEqualTypeOf<Protocol.Presence>();
    expectTypeOf<Client.TypingEvent>().toEqualTypeOf<Protocol.TypingEvent>();
    expectTypeOf<Client.MessageChange>().toEqualTypeOf<Protocol.MessageChange>();
    expectTypeOf<Client.MessageChangeType>().toEqualTypeOf<Protocol.MessageChangeType>();
    expectTypeOf<Client.Reaction>().toEqualTypeOf<Protocol.Reaction>();
    expectTypeOf<Client.ReplyTo>().toEqualTypeOf<Protocol.ReplyTo>();
    expectTypeOf<Client.ReadState>().toEqualTypeOf<Protocol.ReadState>();
    expectTypeOf<Client.ReadReceipt>().toEqualTypeOf<Protocol.ReadReceipt>();
    expectTypeOf<Client.ReceiptsEvent>().toEqualTypeOf<Protocol.ReceiptsEvent>();
    expectTypeOf<Client.RoomSummary>().toEqualTypeOf<Protocol.RoomSummary>();
    expectTypeOf<Client.ErrorPayload>().toEqualTypeOf<Protocol.ErrorPayload>();
    expectTypeOf<Client.ErrorCode>().toEqualTypeOf<Protocol.ErrorCode>();
    expectTypeOf<Client.ValidationIssue>().toEqualTypeOf<Protocol.ValidationIssue>();
    expectTypeOf<Client.GuestSession>().toEqualTypeOf<Protocol.CreateSessionResponse>();
    expectTypeOf<Client.HistoryPage>().toEqualTypeOf<Protocol.AckSuccess<Protocol.HistoryAck>>();
  });

  it('include the limits', () => {
    expectTypeOf<typeof Client.LIMITS>().toEqualTypeOf<typeof Protocol.LIMITS>();
  });

  it('name the status union UserStatus', () => {
    expectTypeOf<Client.UserStatus>().toEqualTypeOf<Protocol.PresenceStatus>();
    expectTypeOf<Client.UserStatus>().toEqualTypeOf<'online' | 'away' | 'offline'>();
    expectTypeOf<Client.Presence['status']>().toEqualTypeOf<Client.UserStatus>();
  });

  it('are what the SDK hands out', () => {
    expectTypeOf<Client.Room['messages']>().toEqualTypeOf<readonly Client.Message[]>();
    expectTypeOf<Client.Room['typingUsers']>().toEqualTypeOf<readonly Client.User[]>();
    expectTypeOf<Client.RoomEvents['typing']>().toEqualTypeOf<Client.TypingEvent>();
    expectTypeOf<Client.ChatterClientEvents['presence']>().toEqualTypeOf<Client.Presence>();
    expectTypeOf<Client.ChatterClientEvents['change']>().toEqualTypeOf<undefined>();
    expectTypeOf<ReturnType<typeof Client.createGuestSession>>().toEqualTypeOf<
      Promise<Client.GuestSession>
    >();
  });
});

import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  AckError,
  AuthAck,
  AuthPayload,
  AwayAck,
  AwayPayload,
  ClientEventName,
  ClientEventPayload,
  ClientToServerEvents,
  clientEventAckSchemas,
  clientEventSchemas,
  DeleteMessagePayload,
  EditMessagePayload,
  ErrorCode,
  ErrorPayload,
  HistoryAck,
  HistoryPayload,
  JoinAck,
  JoinPayload,
  LeaveAck,
  LeavePayload,
  Message,
  MessageChange,
  MessageChangeAck,
  MessageSchema,
  Presence,
  ReactionPayload,
  ReadAck,
  ReadPayload,
  ReadState,
  ReceiptsEvent,
  RoomsAck,
  RoomsPayload,
  SendMessageAck,
  SendMessagePayload,
  ServerEventName,
  ServerEventPayload,
  ServerToClientEvents,
  serverEventSchemas,
  TypingEvent,
  TypingPayload,
} from './index.js';

/** Client events whose last parameter is an acknowledgement callback. */
type AckedEventName = {
  [E in ClientEventName]: Parameters<ClientToServerEvents[E]> extends [unknown, unknown]
    ? E
    : never;
}[ClientEventName];

describe('ClientToServerEvents', () => {
  it('takes a JoinPayload and a JoinAck callback for join', () => {
    expectTypeOf<Parameters<ClientToServerEvents['join']>>().toEqualTypeOf<
      [JoinPayload, (response: JoinAck) => void]
    >();
  });

  it('pairs every payload with its acknowledgement', () => {
    expectTypeOf<Parameters<ClientToServerEvents['leave']>>().toEqualTypeOf<
      [LeavePayload, (response: LeaveAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['message']>>().toEqualTypeOf<
      [SendMessagePayload, (response: SendMessageAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['history']>>().toEqualTypeOf<
      [HistoryPayload, (response: HistoryAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['away']>>().toEqualTypeOf<
      [AwayPayload, (response: AwayAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['edit']>>().toEqualTypeOf<
      [EditMessagePayload, (response: MessageChangeAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['delete']>>().toEqualTypeOf<
      [DeleteMessagePayload, (response: MessageChangeAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['react']>>().toEqualTypeOf<
      [ReactionPayload, (response: MessageChangeAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['unreact']>>().toEqualTypeOf<
      [ReactionPayload, (response: MessageChangeAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['read']>>().toEqualTypeOf<
      [ReadPayload, (response: ReadAck) => void]
    >();
    expectTypeOf<Parameters<ClientToServerEvents['rooms']>>().toEqualTypeOf<
      [RoomsPayload, (response: RoomsAck) => void]
    >();
  });

  it('answers auth with its acknowledgement', () => {
    expectTypeOf<Parameters<ClientToServerEvents['auth']>>().toEqualTypeOf<
      [AuthPayload, (response: AuthAck) => void]
    >();
  });

  it('gives typing no acknowledgement', () => {
    expectTypeOf<Parameters<ClientToServerEvents['typing']>>().toEqualTypeOf<[TypingPayload]>();
  });

  it('names the events', () => {
    expectTypeOf<ClientEventName>().toEqualTypeOf<
      | 'join'
      | 'leave'
      | 'message'
      | 'history'
      | 'typing'
      | 'away'
      | 'edit'
      | 'delete'
      | 'react'
      | 'unreact'
      | 'read'
      | 'rooms'
      | 'auth'
    >();
  });

  it('exposes each payload through ClientEventPayload', () => {
    expectTypeOf<ClientEventPayload<'join'>>().toEqualTypeOf<JoinPayload>();
    expectTypeOf<ClientEventPayload<'message'>>().toEqualTypeOf<SendMessagePayload>();
    expectTypeOf<ClientEventPayload<'edit'>>().toEqualTypeOf<EditMessagePayload>();
    expectTypeOf<ClientEventPayload<'unreact'>>().toEqualTypeOf<ReactionPayload>();
    expectTypeOf<ClientEventPayload<'rooms'>>().toEqualTypeOf<RoomsPayload>();
  });

  it('makes a misspelt field in a JoinPayload literal an error', () => {
    // @ts-expect-error `snice` is not a field of JoinPayload (it is `since`).
    const payload: JoinPayload = { room: 'general', snice: 3 };
    expectTypeOf(payload).toEqualTypeOf<JoinPayload>();
  });

  it('makes a missing room in a JoinPayload an error', () => {
    // @ts-expect-error `room` is required.
    const payload: JoinPayload = { since: 3 };
    expectTypeOf(payload).toEqualTypeOf<JoinPayload>();
  });

  it('types join fields', () => {
    expectTypeOf<JoinPayload>().toEqualTypeOf<{
      room: string;
      since?: number;
      epoch?: string;
    }>();
  });
});

describe('ServerToClientEvents', () => {
  it('takes one payload per event', () => {
    expectTypeOf<Parameters<ServerToClientEvents['message']>>().toEqualTypeOf<[Message]>();
    expectTypeOf<Parameters<ServerToClientEvents['presence']>>().toEqualTypeOf<[Presence]>();
    expectTypeOf<Parameters<ServerToClientEvents['typing']>>().toEqualTypeOf<[TypingEvent]>();
    expectTypeOf<Parameters<ServerToClientEvents['change']>>().toEqualTypeOf<[MessageChange]>();
    expectTypeOf<Parameters<ServerToClientEvents['read']>>().toEqualTypeOf<[ReadState]>();
    expectTypeOf<Parameters<ServerToClientEvents['receipts']>>().toEqualTypeOf<[ReceiptsEvent]>();
  });

  it('exposes each payload through ServerEventPayload', () => {
    expectTypeOf<ServerEventPayload<'presence'>>().toEqualTypeOf<Presence>();
    expectTypeOf<ServerEventPayload<'change'>>().toEqualTypeOf<MessageChange>();
  });

  it('names the events', () => {
    expectTypeOf<ServerEventName>().toEqualTypeOf<
      | 'message'
      | 'presence'
      | 'presences'
      | 'typing'
      | 'head'
      | 'change'
      | 'read'
      | 'receipts'
      | 'closing'
    >();
  });
});

describe('acknowledgements', () => {
  it('have one argument: { ok: true, ... } | { ok: false, error }', () => {
    expectTypeOf<JoinAck['ok']>().toEqualTypeOf<boolean>();
    expectTypeOf<Extract<JoinAck, { ok: false }>>().toEqualTypeOf<AckError>();
    expectTypeOf<Extract<SendMessageAck, { ok: false }>>().toEqualTypeOf<AckError>();
    expectTypeOf<AckError>().toEqualTypeOf<{ ok: false; error: ErrorPayload }>();
  });

  it('carries the payload only on success', () => {
    expectTypeOf<Extract<SendMessageAck, { ok: true }>>().toEqualTypeOf<{
      ok: true;
      message: Message;
    }>();
    expectTypeOf<Extract<HistoryAck, { ok: true }>>().toEqualTypeOf<{
      ok: true;
      messages: Message[];
      changes: MessageChange[];
      hasMore: boolean;
    }>();
  });

  it('narrows on ok', () => {
    const handle = (ack: JoinAck) => {
      if (ack.ok) expectTypeOf(ack.messages).toEqualTypeOf<Message[]>();
      else expectTypeOf(ack.error.code).toEqualTypeOf<ErrorCode>();
    };
    expectTypeOf(handle).parameter(0).toEqualTypeOf<JoinAck>();
  });
});

describe('runtime schema tables', () => {
  it('clientEventSchemas has exactly the keys of ClientToServerEvents', () => {
    expectTypeOf<keyof typeof clientEventSchemas>().toEqualTypeOf<keyof ClientToServerEvents>();
  });

  it('serverEventSchemas has exactly the keys of ServerToClientEvents', () => {
    expectTypeOf<keyof typeof serverEventSchemas>().toEqualTypeOf<keyof ServerToClientEvents>();
    expectTypeOf<keyof typeof serverEventSchemas>().toEqualTypeOf<ServerEventName>();
  });

  it('clientEventAckSchemas has exactly the events that take an acknowledgement', () => {
    expectTypeOf<keyof typeof clientEventAckSchemas>().toEqualTypeOf<AckedEventName>();
  });

  it('parses each client event into its payload type', () => {
    expectTypeOf<z.output<(typeof clientEventSchemas)['join']>>().toEqualTypeOf<JoinPayload>();
    expectTypeOf<
      z.output<(typeof clientEventSchemas)['message']>
    >().toEqualTypeOf<SendMessagePayload>();
    expectTypeOf<z.output<(typeof clientEventSchemas)['away']>>().toEqualTypeOf<AwayPayload>();
  });

  it('parses each acknowledgement into its ack type', () => {
    expectTypeOf<z.output<(typeof clientEventAckSchemas)['join']>>().toEqualTypeOf<JoinAck>();
    expectTypeOf<
      z.output<(typeof clientEventAckSchemas)['edit']>
    >().toEqualTypeOf<MessageChangeAck>();
    expectTypeOf<z.output<(typeof clientEventAckSchemas)['read']>>().toEqualTypeOf<ReadAck>();
    expectTypeOf<z.output<(typeof clientEventAckSchemas)['rooms']>>().toEqualTypeOf<RoomsAck>();
  });

  it('parses each server event into its payload type', () => {
    expectTypeOf<z.output<(typeof serverEventSchemas)['change']>>().toEqualTypeOf<MessageChange>();
    expectTypeOf<z.output<(typeof serverEventSchemas)['read']>>().toEqualTypeOf<ReadState>();
    expectTypeOf<
      z.output<(typeof serverEventSchemas)['receipts']>
    >().toEqualTypeOf<ReceiptsEvent>();
  });
});

describe('Message', () => {
  it('has seq: number and an optional clientId', () => {
    expectTypeOf<Message['seq']>().toEqualTypeOf<number>();
    expectTypeOf<Pick<Message, 'clientId'>>().toEqualTypeOf<{ clientId?: string }>();
  });

  it('is z.infer of MessageSchema', () => {
    expectTypeOf<z.infer<typeof MessageSchema>>().toEqualTypeOf<Message>();
  });

  it('has the documented shape', () => {
    expectTypeOf<Message>().toEqualTypeOf<{
      id: string;
      room: string;
      seq: number;
      text: string;
      author: { id: string; name: string };
      createdAt: string;
      clientId?: string;
      editedAt?: string;
      deletedAt?: string;
      reactions?: { emoji: string; count: number; users: string[] }[];
      replyTo?: {
        id: string;
        seq: number;
        author: { id: string; name: string };
        excerpt: string;
        deleted?: true;
      };
    }>();
  });
});

describe('ErrorCode', () => {
  it('is the union of the code strings', () => {
    expectTypeOf<ErrorCode>().toEqualTypeOf<
      | 'VALIDATION'
      | 'UNAUTHORIZED'
      | 'FORBIDDEN'
      | 'NOT_FOUND'
      | 'RATE_LIMITED'
      | 'PAYLOAD_TOO_LARGE'
      | 'UNAVAILABLE'
      | 'INTERNAL'
    >();
  });

  it('cannot be assigned an unknown code', () => {
    // @ts-expect-error 'NOPE' is not an ErrorCode.
    const code: ErrorCode = 'NOPE';
    expectTypeOf(code).toEqualTypeOf<ErrorCode>();
  });
});

import { describe, expectTypeOf, it } from 'vitest';
import type {
  AckError,
  ClientToServerEvents,
  DeleteMessagePayload,
  EditMessagePayload,
  JoinAck,
  Message,
  MessageChange,
  MessageChangeAck,
  MessageChangeType,
  ReactionPayload,
  ReadAck,
  ReadPayload,
  ReadReceipt,
  ReadState,
  ReceiptsEvent,
  RoomSummary,
  RoomsAck,
  RoomsPayload,
  SendMessagePayload,
  ServerToClientEvents,
} from './index.js';

describe('the room log events a client emits', () => {
  it('types their payloads', () => {
    expectTypeOf<EditMessagePayload>().toEqualTypeOf<{
      room: string;
      id: string;
      text: string;
      clientId?: string;
    }>();
    expectTypeOf<DeleteMessagePayload>().toEqualTypeOf<{ room: string; id: string }>();
    expectTypeOf<ReactionPayload>().toEqualTypeOf<{ room: string; id: string; emoji: string }>();
    expectTypeOf<ReadPayload>().toEqualTypeOf<{ room: string; seq: number }>();
    expectTypeOf<Pick<SendMessagePayload, 'replyTo'>>().toEqualTypeOf<{ replyTo?: string }>();
  });

  it('takes an empty object for rooms, and nothing in it', () => {
    const payload: RoomsPayload = {};
    expectTypeOf(payload).toEqualTypeOf<RoomsPayload>();
    // @ts-expect-error `rooms` takes no fields.
    const withRoom: RoomsPayload = { room: 'general' };
    expectTypeOf(withRoom).toEqualTypeOf<RoomsPayload>();
  });

  it('makes a misspelt or missing field an error', () => {
    // @ts-expect-error `emoij` is not a field (it is `emoji`).
    const misspelt: ReactionPayload = { room: 'general', id: 'm1', emoij: '👍' };
    // @ts-expect-error `id` is required: an edit names the message.
    const withoutId: EditMessagePayload = { room: 'general', text: 'fixed' };
    expectTypeOf(misspelt).toEqualTypeOf<ReactionPayload>();
    expectTypeOf(withoutId).toEqualTypeOf<EditMessagePayload>();
  });

  it('answers edit, delete, react and unreact alike: the message and its entry or null', () => {
    expectTypeOf<Extract<MessageChangeAck, { ok: true }>>().toEqualTypeOf<{
      ok: true;
      message: Message;
      change: MessageChange | null;
    }>();
    expectTypeOf<Extract<MessageChangeAck, { ok: false }>>().toEqualTypeOf<AckError>();
    type AckOf<E extends keyof ClientToServerEvents> = ClientToServerEvents[E] extends (
      payload: never,
      ack: (response: infer Ack) => void,
    ) => void
      ? Ack
      : never;
    expectTypeOf<AckOf<'edit'>>().toEqualTypeOf<MessageChangeAck>();
    expectTypeOf<AckOf<'delete'>>().toEqualTypeOf<MessageChangeAck>();
    expectTypeOf<AckOf<'react'>>().toEqualTypeOf<MessageChangeAck>();
    expectTypeOf<AckOf<'unreact'>>().toEqualTypeOf<MessageChangeAck>();
  });

  it('answers read with the read state, and rooms with the room summaries', () => {
    expectTypeOf<Extract<ReadAck, { ok: true }>>().toEqualTypeOf<{
      ok: true;
      room: string;
      seq: number;
      unread: number;
      head: number;
    }>();
    expectTypeOf<Extract<RoomsAck, { ok: true }>>().toEqualTypeOf<{
      ok: true;
      rooms: RoomSummary[];
    }>();
  });

  it('gives a join the changes replayed and the read state', () => {
    expectTypeOf<
      Pick<Extract<JoinAck, { ok: true }>, 'changes' | 'readSeq' | 'unread' | 'reads'>
    >().toEqualTypeOf<{
      changes: MessageChange[];
      readSeq: number;
      unread: number;
      reads: ReadReceipt[];
    }>();
  });
});

describe('the room log events a server emits', () => {
  it('types change, read and receipts', () => {
    expectTypeOf<ServerToClientEvents['change']>().toEqualTypeOf<(change: MessageChange) => void>();
    expectTypeOf<ServerToClientEvents['read']>().toEqualTypeOf<(state: ReadState) => void>();
    expectTypeOf<ServerToClientEvents['receipts']>().toEqualTypeOf<
      (event: ReceiptsEvent) => void
    >();
  });

  it('types a change entry', () => {
    expectTypeOf<MessageChange>().toEqualTypeOf<{
      room: string;
      seq: number;
      type: 'edited' | 'deleted' | 'reaction_added' | 'reaction_removed';
      message: Message;
      by: string;
      at: string;
      emoji?: string;
      clientId?: string;
    }>();
    expectTypeOf<MessageChange['type']>().toEqualTypeOf<MessageChangeType>();
  });

  it('types read state, receipts and room summaries', () => {
    expectTypeOf<ReadState>().toEqualTypeOf<{
      room: string;
      seq: number;
      unread: number;
      head: number;
    }>();
    expectTypeOf<ReadReceipt>().toEqualTypeOf<{ userId: string; seq: number }>();
    expectTypeOf<ReceiptsEvent>().toEqualTypeOf<{ room: string; reads: ReadReceipt[] }>();
    expectTypeOf<RoomSummary>().toEqualTypeOf<{
      room: string;
      epoch: string;
      head: number;
      readSeq: number;
      unread: number;
      joinedAt: string;
    }>();
  });
});

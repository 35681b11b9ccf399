import { describe, expectTypeOf, it } from 'vitest';
import type {
  AckSuccess,
  AwayAck,
  HistoryAck,
  HistoryResponse,
  JoinAck,
  LeaveAck,
  Message,
  MessageChange,
  MessageChangeAck,
  MessageChangeResponse,
  PostMessageResponse,
  PresenceStatus,
  ReadAck,
  ReadReceipt,
  ReadState,
  RoomsAck,
  RoomsResponse,
  SendMessageAck,
} from './index.js';

describe('AckSuccess', () => {
  it('is what a successful acknowledgement carries besides ok', () => {
    expectTypeOf<AckSuccess<SendMessageAck>>().toEqualTypeOf<{ message: Message }>();
    expectTypeOf<AckSuccess<LeaveAck>>().toEqualTypeOf<{ room: string }>();
    expectTypeOf<AckSuccess<AwayAck>>().toEqualTypeOf<{ status: PresenceStatus }>();
    expectTypeOf<AckSuccess<JoinAck>>().toEqualTypeOf<{
      room: string;
      epoch: string;
      head: number;
      messages: Message[];
      changes: MessageChange[];
      hasMore: boolean;
      readSeq: number;
      unread: number;
      reads: ReadReceipt[];
    }>();
  });

  it('has no ok and no error', () => {
    expectTypeOf<AckSuccess<JoinAck>>().not.toHaveProperty('ok');
    expectTypeOf<AckSuccess<JoinAck>>().not.toHaveProperty('error');
  });

  // One wire type per answer: the REST body and the socket acknowledgement are the same shape.
  it('is the REST answer of the same request', () => {
    expectTypeOf<AckSuccess<SendMessageAck>>().toEqualTypeOf<PostMessageResponse>();
    expectTypeOf<AckSuccess<HistoryAck>>().toEqualTypeOf<HistoryResponse>();
    expectTypeOf<AckSuccess<MessageChangeAck>>().toEqualTypeOf<MessageChangeResponse>();
    expectTypeOf<AckSuccess<ReadAck>>().toEqualTypeOf<ReadState>();
    expectTypeOf<AckSuccess<RoomsAck>>().toEqualTypeOf<RoomsResponse>();
  });

  it('rebuilds the acknowledgement with ok: true', () => {
    const answer = (success: AckSuccess<MessageChangeAck>): MessageChangeAck => ({
      ok: true,
      ...success,
    });
    expectTypeOf(answer).returns.toEqualTypeOf<MessageChangeAck>();
    // @ts-expect-error `change` is required: `null` says the request changed nothing.
    const missing: AckSuccess<MessageChangeAck> = { message: {} as Message };
    expectTypeOf(missing).toEqualTypeOf<AckSuccess<MessageChangeAck>>();
  });
});

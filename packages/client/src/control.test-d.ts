import { describe, expectTypeOf, it } from 'vitest';
import {
  type ChatterClient,
  type ChatterErrorCode,
  type ChatterLogger,
  ClientErrorCode,
  createChatterClient,
  type PendingMessage,
  type PendingWait,
  type RequestOptions,
  type Room,
} from './index.js';

declare const chat: ChatterClient;
declare const room: Room;
declare const signal: AbortSignal;

describe('per-call options', () => {
  it('connect, join, history, status and rooms take a signal and a timeout', () => {
    expectTypeOf(chat.connect).parameter(0).toEqualTypeOf<RequestOptions | undefined>();
    void chat.connect({ timeoutMs: 5000 });
    void chat.join('general', { signal, timeoutMs: 1000 });
    void room.history({ before: 10, limit: 20, signal, timeoutMs: 1000 });
    void chat.status(['ada'], { signal });
    void chat.status(undefined, { timeoutMs: 100 });
    void chat.rooms({ signal });
    // @ts-expect-error: a timeout is a number of milliseconds
    void chat.join('general', { timeoutMs: '5s' });
  });

  it('ABORTED and UNSUPPORTED are error codes', () => {
    expectTypeOf<'ABORTED'>().toExtend<ChatterErrorCode>();
    expectTypeOf(ClientErrorCode.UNSUPPORTED).toEqualTypeOf<'UNSUPPORTED'>();
  });
});

describe('tokens and logging', () => {
  it('setToken takes a token; tokenExpiring says until when', () => {
    expectTypeOf(chat.setToken).toEqualTypeOf<(token: string) => void>();
    chat.on('tokenExpiring', (event) => {
      expectTypeOf(event).toEqualTypeOf<{ expiresAt: number }>();
    });
  });

  it('a logger is four functions of a message and details; console is one', () => {
    createChatterClient({ url: 'http://x', token: 't', logger: console, requestTimeoutMs: 1000 });
    expectTypeOf<ChatterLogger['warn']>().toEqualTypeOf<
      (message: string, details?: object) => void
    >();
  });
});

describe('pending reasons', () => {
  it('a pending message may say why it waits, and until when', () => {
    expectTypeOf<PendingMessage['waitingFor']>().toEqualTypeOf<PendingWait | undefined>();
    expectTypeOf<PendingWait>().toEqualTypeOf<'connection' | 'rate_limit' | 'server' | 'token'>();
    expectTypeOf<PendingMessage['retryAt']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<PendingMessage['state']>().toEqualTypeOf<'queued' | 'sending' | 'failed'>();
  });
});

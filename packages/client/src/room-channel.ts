import type { AckSuccess, HistoryPayload, JoinAck, Message } from '@chatter/protocol';
import type { ChangeRequest } from './change-requests.js';
import type { RequestOptions } from './deadline.js';
import type { ChatterError } from './errors.js';
import type { ReadState } from './log-types.js';
import type { PendingMessage } from './outbox.js';
import type { HistoryPage } from './room-api.js';

type JoinedAck = AckSuccess<JoinAck>;

/** What a room needs from its client. */
export interface RoomChannel {
  join(room: string, since?: { since: number; epoch: string }): Promise<JoinedAck>;
  /** A page; with `options` (an app's call), under a deadline and abortable. */
  history(payload: HistoryPayload, options?: RequestOptions): Promise<HistoryPage>;
  send(room: string, text: string, replyTo?: string): Promise<Message>;
  /** Queues a change in the outbox; resolves with the message in its latest state. */
  change(room: string, change: ChangeRequest): Promise<Message>;
  /** Sends `read` on the current connection; throws `DISCONNECTED` without one. */
  read(room: string, seq: number): Promise<ReadState>;
  /** This user's id, once the token is known. */
  userId(): string | undefined;
  pending(room: string): readonly PendingMessage[];
  discard(clientId: string): Promise<boolean>;
  typing(room: string, typing: boolean): void;
  leave(room: string): Promise<void>;
  reportError(error: ChatterError): void;
}

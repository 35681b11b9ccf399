export { createChatterClient } from './client.js';
export type { ChatterClient, ChatterClientEvents, ChatterClientOptions } from './client-api.js';
export type { ConnectionStatus } from './connection.js';
export type { Listener } from './emitter.js';
export {
  ChatterError,
  type ChatterErrorCode,
  type ChatterErrorOptions,
  ClientErrorCode,
  isChatterError,
} from './errors.js';
export {
  createGuestSession,
  type FetchLike,
  type GuestSessionOptions,
} from './http.js';
export { createIndexedDbOutbox, type IndexedDbOutboxOptions } from './indexeddb-outbox.js';
export type {
  MessageChange,
  Reaction,
  ReadReceipt,
  ReadState,
  ReceiptsEvent,
  ReplyTo,
  RoomSummary,
} from './log-types.js';
export type { PendingMessage } from './outbox.js';
export {
  createLocalStorageOutbox,
  createMemoryOutbox,
  type LocalStorageOutboxOptions,
  OutboxEntryKind,
  type OutboxStorage,
  type StoredOutboxEntry,
} from './outbox-storage.js';
export type {
  HistoryOptions,
  HistoryPage,
  Room,
  RoomEvents,
  RoomReset,
  SendOptions,
} from './room-api.js';
export type { GetToken } from './token-source.js';

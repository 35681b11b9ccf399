export { createChatterClient } from './client.js';
export type { ChatterClient, ChatterClientEvents, ChatterClientOptions } from './client-api.js';
export type { ConnectionStatus } from './connection.js';
export type { RequestOptions } from './deadline.js';
export type { Listener } from './emitter.js';
export type {
  ErrorCode,
  ErrorPayload,
  GuestSession,
  Message,
  MessageChangeType,
  Presence,
  TypingEvent,
  User,
  UserStatus,
  ValidationIssue,
} from './entity-types.js';
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
export { LIMITS } from './limits.js';
export type {
  MessageChange,
  Reaction,
  ReadReceipt,
  ReadState,
  ReceiptsEvent,
  ReplyTo,
  RoomSummary,
} from './log-types.js';
export type { ChatterLogger } from './logger.js';
export type { PendingMessage, PendingWait } from './outbox.js';
export {
  createLocalStorageOutbox,
  createMemoryOutbox,
  type LocalStorageOutboxOptions,
  OutboxEntryKind,
  type OutboxStorage,
  type StoredOutboxEntry,
} from './outbox-storage.js';
export type {
  AbortSignalLike,
  FetchRequestInit,
  FetchResponseLike,
  IdbFactoryLike,
  StorageLike,
} from './platform-types.js';
export type {
  HistoryOptions,
  HistoryPage,
  Room,
  RoomEvents,
  RoomReset,
  SendOptions,
} from './room-api.js';
export type { GetToken } from './token-source.js';

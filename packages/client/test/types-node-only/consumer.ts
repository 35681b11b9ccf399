// A Node-only app: `lib` without DOM, possibly no `@types/node`, `skipLibCheck: false`. It
// imports every export of the built package, so each declaration it ships is checked here.
import {
  type AbortSignalLike,
  type ChatterClient,
  type ChatterClientEvents,
  type ChatterClientOptions,
  ChatterError,
  type ChatterErrorCode,
  type ChatterErrorOptions,
  type ChatterLogger,
  ClientErrorCode,
  type ConnectionStatus,
  createChatterClient,
  createGuestSession,
  createIndexedDbOutbox,
  createLocalStorageOutbox,
  createMemoryOutbox,
  type ErrorCode,
  type ErrorPayload,
  type FetchLike,
  type FetchRequestInit,
  type FetchResponseLike,
  type GetToken,
  type GuestSession,
  type GuestSessionOptions,
  type HistoryOptions,
  type HistoryPage,
  type IdbFactoryLike,
  type IndexedDbOutboxOptions,
  isChatterError,
  LIMITS,
  type Listener,
  type LocalStorageOutboxOptions,
  type Message,
  type MessageChange,
  type MessageChangeType,
  OutboxEntryKind,
  type OutboxStorage,
  type PendingMessage,
  type PendingWait,
  type Presence,
  type Reaction,
  type ReadReceipt,
  type ReadState,
  type ReceiptsEvent,
  type ReplyTo,
  type RequestOptions,
  type Room,
  type RoomEvents,
  type RoomReset,
  type RoomSummary,
  type SendOptions,
  type StorageLike,
  type StoredOutboxEntry,
  type TypingEvent,
  type User,
  type UserStatus,
  type ValidationIssue,
} from '@chatter/client';

export type Everything = [
  AbortSignalLike,
  ChatterClient,
  ChatterClientEvents,
  ChatterClientOptions,
  ChatterErrorCode,
  ChatterErrorOptions,
  ChatterLogger,
  ConnectionStatus,
  ErrorCode,
  ErrorPayload,
  FetchLike,
  FetchRequestInit,
  FetchResponseLike,
  GetToken,
  GuestSession,
  GuestSessionOptions,
  HistoryOptions,
  HistoryPage,
  IdbFactoryLike,
  IndexedDbOutboxOptions,
  Listener<Message>,
  LocalStorageOutboxOptions,
  MessageChange,
  MessageChangeType,
  OutboxStorage,
  PendingMessage,
  PendingWait,
  Presence,
  Reaction,
  ReadReceipt,
  ReadState,
  ReceiptsEvent,
  ReplyTo,
  RequestOptions,
  Room,
  RoomEvents,
  RoomReset,
  RoomSummary,
  SendOptions,
  StoredOutboxEntry,
  TypingEvent,
  User,
  UserStatus,
  ValidationIssue,
];

const memory = new Map<string, string>();
const storage: StorageLike = {
  getItem: (key) => memory.get(key) ?? null,
  setItem: (key, value) => void memory.set(key, value),
};

export const start = async (url: string, fetch: FetchLike): Promise<string[]> => {
  const session = await createGuestSession(url, 'Node', { fetch });
  const chat = createChatterClient({ url, token: session.token, outbox: createMemoryOutbox() });
  createLocalStorageOutbox({ storage });
  createIndexedDbOutbox({ database: 'unused' });
  const room = await chat.join('general');
  const typing: string[] = [];
  room.on('typing', ({ user }) => typing.push(user.name));
  const status: UserStatus = (await chat.status([session.user.id]))[0]?.status ?? 'offline';
  const tooLong = 'x'.repeat(LIMITS.messageTextMaxLength + 1);
  const kinds = room.pending.map((entry) => entry.kind === OutboxEntryKind.MESSAGE);
  try {
    await room.send('hello');
  } catch (error) {
    if (isChatterError(error) && error.code === ClientErrorCode.CLOSED)
      throw new ChatterError('CLOSED', 'closed');
  }
  return [
    status,
    String(kinds.length),
    tooLong,
    ...typing,
    ...room.messages.map((message: Message) => message.text),
  ];
};

import type { StorageLike } from './platform-types.js';

/**
 * What an outbox entry asks of the server: `message` sends a new message, `edit` replaces the
 * text of one of the user's messages, `delete` deletes one, `react` and `unreact` add or remove
 * the user's reaction to a message.
 *
 * @example
 * ```ts
 * const changes = room.pending.filter((entry) => entry.kind !== OutboxEntryKind.MESSAGE);
 * ```
 */
export const OutboxEntryKind = {
  MESSAGE: 'message',
  EDIT: 'edit',
  DELETE: 'delete',
  REACT: 'react',
  UNREACT: 'unreact',
} as const;

export type OutboxEntryKind = (typeof OutboxEntryKind)[keyof typeof OutboxEntryKind];

/**
 * An entry waiting in the outbox, as an {@link OutboxStorage} keeps it: a message to send, or a
 * change to make to a stored message (see {@link OutboxEntryKind}). A storage keeps entries as
 * they are given; it need not know the kinds.
 *
 * @example
 * ```ts
 * const entry: StoredOutboxEntry = {
 *   clientId: crypto.randomUUID(), userId: 'u1', room: 'general', kind: 'message', text: 'hi',
 *   createdAt: new Date().toISOString(),
 * };
 * ```
 */
export interface StoredOutboxEntry {
  /**
   * Minted once per entry; every resend uses it, so the server stores a message (or applies an
   * edit) once. Also the entry's key in the storage.
   */
  clientId: string;
  /** The sender. One storage can hold several users' entries; each client sends only its own. */
  userId: string;
  room: string;
  /**
   * What the entry asks for. Absent in entries kept by SDK versions from before edits and
   * reactions, which are all messages.
   */
  kind?: OutboxEntryKind;
  /** The text of a `message` or an `edit`; empty for the other kinds. */
  text: string;
  /** The message an `edit`, `delete`, `react` or `unreact` applies to. */
  messageId?: string;
  /** The emoji of a `react` or `unreact`. */
  emoji?: string;
  /** The message (in the same room) a `message` replies to. */
  replyTo?: string;
  createdAt: string;
}

/**
 * Where the outbox keeps entries (messages, and changes to messages) until the server has
 * acknowledged them. Methods may be
 * synchronous or return promises. `load` returns entries in the order they were `put`.
 *
 * @example
 * ```ts
 * // Keep the outbox in a file in a Node.js app:
 * const file = 'outbox.json';
 * const read = (): StoredOutboxEntry[] => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : []);
 * const write = (entries: StoredOutboxEntry[]) => fs.writeFileSync(file, JSON.stringify(entries));
 * const storage: OutboxStorage = {
 *   load: (userId) => read().filter((entry) => entry.userId === userId),
 *   put: (entry) => write([...read().filter((e) => e.clientId !== entry.clientId), entry]),
 *   remove: (clientId) => write(read().filter((entry) => entry.clientId !== clientId)),
 * };
 * ```
 */
export interface OutboxStorage {
  load(userId: string): StoredOutboxEntry[] | Promise<StoredOutboxEntry[]>;
  put(entry: StoredOutboxEntry): void | Promise<void>;
  remove(clientId: string): void | Promise<void>;
}

/**
 * The default outbox storage: in memory, so pending messages survive disconnects and server
 * restarts but not the end of the process or page.
 *
 * @example
 * ```ts
 * const chat = createChatterClient({ url, token, outbox: createMemoryOutbox() });
 * ```
 */
export const createMemoryOutbox = (): OutboxStorage => {
  const entries = new Map<string, StoredOutboxEntry>();
  return {
    load: (userId) => [...entries.values()].filter((entry) => entry.userId === userId),
    put: (entry) => {
      entries.set(entry.clientId, { ...entry });
    },
    remove: (clientId) => {
      entries.delete(clientId);
    },
  };
};

/**
 * Options of {@link createLocalStorageOutbox}.
 *
 * @example
 * ```ts
 * createLocalStorageOutbox({ key: 'my-app:chat-outbox' });
 * ```
 */
export interface LocalStorageOutboxOptions {
  /** The localStorage key that holds the outbox (default `chatter:outbox`). */
  key?: string;
  /** The storage to use (default `globalThis.localStorage`), such as `sessionStorage`. */
  storage?: StorageLike;
}

const KINDS: ReadonlySet<unknown> = new Set(Object.values(OutboxEntryKind));

const isStoredEntry = (value: unknown): value is StoredOutboxEntry => {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  const kind = entry.kind ?? OutboxEntryKind.MESSAGE;
  const optional = (field: string) =>
    entry[field] === undefined || typeof entry[field] === 'string';
  return (
    ['clientId', 'userId', 'room', 'text', 'createdAt'].every(
      (field) => typeof entry[field] === 'string',
    ) &&
    KINDS.has(kind) &&
    ['messageId', 'emoji', 'replyTo'].every(optional) &&
    (kind === OutboxEntryKind.MESSAGE || typeof entry.messageId === 'string') &&
    ((kind !== OutboxEntryKind.REACT && kind !== OutboxEntryKind.UNREACT) ||
      typeof entry.emoji === 'string')
  );
};

/**
 * An outbox in `localStorage`: pending messages survive a page reload. Tabs of the same origin
 * share it; that is safe, because a message resent from two tabs is still stored once.
 *
 * @example
 * ```ts
 * const chat = createChatterClient({ url, token, outbox: createLocalStorageOutbox() });
 * ```
 */
export const createLocalStorageOutbox = (
  options: LocalStorageOutboxOptions = {},
): OutboxStorage => {
  const key = options.key ?? 'chatter:outbox';
  const storage = () => {
    const found = options.storage ?? globalThis.localStorage;
    if (!found) throw new Error('localStorage is not available here; use another outbox storage');
    return found;
  };
  const read = (): StoredOutboxEntry[] => {
    const raw = storage().getItem(key);
    if (raw === null) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isStoredEntry) : [];
    } catch {
      // Someone else's data under our key: start over rather than fail every send.
      return [];
    }
  };
  const write = (entries: StoredOutboxEntry[]) => storage().setItem(key, JSON.stringify(entries));
  return {
    load: (userId) => read().filter((entry) => entry.userId === userId),
    put: (entry) =>
      write([...read().filter((each) => each.clientId !== entry.clientId), { ...entry }]),
    remove: (clientId) => write(read().filter((entry) => entry.clientId !== clientId)),
  };
};

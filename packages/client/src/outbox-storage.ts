/**
 * A message waiting in the outbox, as an {@link OutboxStorage} keeps it.
 *
 * @example
 * ```ts
 * const entry: StoredOutboxEntry = {
 *   clientId: crypto.randomUUID(), userId: 'u1', room: 'general', text: 'hi',
 *   createdAt: new Date().toISOString(),
 * };
 * ```
 */
export interface StoredOutboxEntry {
  /** Minted once per message; every resend uses it, so the server stores the message once. */
  clientId: string;
  /** The sender. One storage can hold several users' messages; each client sends only its own. */
  userId: string;
  room: string;
  text: string;
  createdAt: string;
}

/**
 * Where the outbox keeps messages until the server has acknowledged them. Methods may be
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
  /** The `Storage` to use (default `globalThis.localStorage`). */
  storage?: Storage;
}

const isStoredEntry = (value: unknown): value is StoredOutboxEntry => {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return ['clientId', 'userId', 'room', 'text', 'createdAt'].every(
    (field) => typeof entry[field] === 'string',
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

import type { OutboxStorage, StoredOutboxEntry } from './outbox-storage.js';
import type { IdbFactoryLike } from './platform-types.js';

/**
 * Options of {@link createIndexedDbOutbox}.
 *
 * @example
 * ```ts
 * createIndexedDbOutbox({ database: 'my-app-chat' });
 * ```
 */
export interface IndexedDbOutboxOptions {
  /** The IndexedDB database name (default `chatter`). */
  database?: string;
  /** The `IDBFactory` to use (default `globalThis.indexedDB`). */
  indexedDB?: IdbFactoryLike;
}

const STORE = 'outbox';

/** The stored record: the entry plus a counter that keeps the order in which entries were put. */
type OutboxRecord = StoredOutboxEntry & { order: number };

const promised = <T>(request: IDBRequest<T>): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

const committed = (transaction: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB write aborted'));
  });

/**
 * An outbox in IndexedDB: pending messages survive a page reload, and a write is durable once
 * `put` resolves. Prefer it to localStorage when messages can be long or many.
 *
 * @example
 * ```ts
 * const chat = createChatterClient({ url, getToken, outbox: createIndexedDbOutbox() });
 * ```
 */
export const createIndexedDbOutbox = (options: IndexedDbOutboxOptions = {}): OutboxStorage => {
  let opened: Promise<IDBDatabase> | undefined;
  const open = () => {
    opened ??= (() => {
      const factory = options.indexedDB ?? globalThis.indexedDB;
      if (!factory) throw new Error('IndexedDB is not available here; use another outbox storage');
      const request = factory.open(options.database ?? 'chatter', 1);
      request.onupgradeneeded = () => {
        const store = request.result.createObjectStore(STORE, { keyPath: 'clientId' });
        store.createIndex('order', 'order');
      };
      return promised(request);
    })();
    return opened;
  };

  return {
    async load(userId) {
      const db = await open();
      const index = db.transaction(STORE, 'readonly').objectStore(STORE).index('order');
      const records = (await promised(index.getAll())) as OutboxRecord[];
      return records
        .filter((record) => record.userId === userId)
        .map(({ order: _order, ...entry }) => entry);
    },
    async put(entry) {
      const db = await open();
      const transaction = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      const store = transaction.objectStore(STORE);
      const last = await promised(store.index('order').openCursor(null, 'prev'));
      const order = last ? (last.value as OutboxRecord).order + 1 : 0;
      store.put({ ...entry, order } satisfies OutboxRecord);
      await committed(transaction);
    },
    async remove(clientId) {
      const db = await open();
      const transaction = db.transaction(STORE, 'readwrite', { durability: 'strict' });
      transaction.objectStore(STORE).delete(clientId);
      await committed(transaction);
    },
  };
};

// The platform objects the SDK's options accept (a fetch, a storage, an IndexedDB factory, an
// abort signal), typed without naming DOM types: the published .d.ts must compile for apps
// whose `lib` has no DOM and whose `types` may not include Node's, with `skipLibCheck: false`.

/**
 * The platform's own type `Name` where the app's types declare it (`lib: ["DOM"]`,
 * `@types/node`), so such apps check against the real thing; `Fallback`, the little the SDK
 * uses, where they do not.
 */
type PlatformType<Name extends string, Fallback> =
  typeof globalThis extends Record<Name, { prototype: infer Declared }> ? Declared : Fallback;

/**
 * An `AbortSignal`: the platform's own where the app's types declare one (DOM, `@types/node`),
 * else what the SDK reads of it.
 *
 * @example
 * ```ts
 * const signal: AbortSignalLike = AbortSignal.timeout(5000);
 * await createGuestSession(url, 'Ada', { signal });
 * ```
 */
export type AbortSignalLike = PlatformType<
  'AbortSignal',
  {
    readonly aborted: boolean;
    readonly reason: unknown;
    addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
    removeEventListener(type: 'abort', listener: () => void): void;
  }
>;

/**
 * What the SDK passes to a {@link FetchLike}: always a method and headers, a JSON `body` for
 * writes, and a `signal` when the call can be aborted. A `RequestInit`, as `fetch` takes it.
 *
 * @example
 * ```ts
 * const init: FetchRequestInit = { method: 'GET', headers: { accept: 'application/json' } };
 * await fetch(`${url}/api/rooms`, init);
 * ```
 */
export interface FetchRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignalLike;
}

/**
 * What the SDK reads of a {@link FetchLike}'s response; a `Response` is one.
 *
 * @example
 * ```ts
 * const response: FetchResponseLike = await fetch(`${url}/health`);
 * console.log(response.status, await response.text());
 * ```
 */
export interface FetchResponseLike {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/**
 * What {@link createLocalStorageOutbox} uses of its storage; `localStorage` and
 * `sessionStorage` are such storages.
 *
 * @example
 * ```ts
 * const memory = new Map<string, string>();
 * const storage: StorageLike = {
 *   getItem: (key) => memory.get(key) ?? null,
 *   setItem: (key, value) => void memory.set(key, value),
 * };
 * createLocalStorageOutbox({ storage });
 * ```
 */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * An `IDBFactory`, such as `indexedDB` (or `fake-indexeddb`'s in Node): the platform's own type
 * where the app's types declare one (DOM), else any object with `open`. The SDK uses it as a
 * full IndexedDB factory either way.
 *
 * @example
 * ```ts
 * const factory: IdbFactoryLike = indexedDB;
 * createIndexedDbOutbox({ indexedDB: factory });
 * ```
 */
export type IdbFactoryLike = PlatformType<
  'IDBFactory',
  { open(name: string, version?: number): unknown }
>;

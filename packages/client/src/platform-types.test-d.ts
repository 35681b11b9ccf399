import { describe, expectTypeOf, it } from 'vitest';
import {
  type AbortSignalLike,
  createGuestSession,
  createIndexedDbOutbox,
  createLocalStorageOutbox,
  type FetchLike,
  type IdbFactoryLike,
  type StorageLike,
} from './index.js';

// Where the app's types declare the platform (here: lib DOM), the options take the real
// objects and check against their real types; no DOM name appears in the declarations.
describe('platform types, for an app with DOM types', () => {
  it('are the platform’s own where it declares them', () => {
    expectTypeOf<AbortSignalLike>().toEqualTypeOf<AbortSignal>();
    expectTypeOf<IdbFactoryLike>().toEqualTypeOf<IDBFactory>();
  });

  it('take the real fetch, storages, IndexedDB and signals', () => {
    const plain: FetchLike = fetch;
    const wrapped: FetchLike = (input, init) => fetch(input, init);
    expectTypeOf(localStorage).toExtend<StorageLike>();
    createLocalStorageOutbox({ storage: sessionStorage });
    createIndexedDbOutbox({ indexedDB });
    for (const fetch of [plain, wrapped]) {
      void createGuestSession('http://localhost:3000', 'Ada', {
        fetch,
        signal: AbortSignal.timeout(5000),
      });
    }
    // @ts-expect-error: not an IDBFactory
    createIndexedDbOutbox({ indexedDB: { open: () => null } });
  });
});

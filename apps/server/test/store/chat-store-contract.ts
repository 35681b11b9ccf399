import { afterEach, beforeEach, describe } from 'vitest';
import type { ChatStore } from '../../src/store/chat-store.js';
import { type ContractContext, contractHelpers } from './contract-context.js';
import { describeHistoryAndUsers } from './contract-history-and-users.js';
import { describeLogPages } from './contract-log-pages.js';
import { describeReadState } from './contract-read-state.js';
import { describeRoomLog } from './contract-room-log.js';
import { describeRoomsAndAppends } from './contract-rooms-and-appends.js';

/** One fresh, empty store per test, as a backend's test file provides it. */
export interface ChatStoreFixture {
  store: ChatStore;
  /** Opens the same data again. The contract closes every store it holds before calling it. */
  reopen?: () => Promise<ChatStore>;
  /** Frees what the backend allocated (files, databases); runs after the stores are closed. */
  cleanup: () => Promise<void>;
}

/**
 * The guarantees every `ChatStore` backend keeps (see `src/store/chat-store.ts`). A backend's
 * test file calls this with a factory that opens an empty store for each test.
 */
export const describeChatStoreContract = (
  backendName: string,
  openStore: () => Promise<ChatStoreFixture>,
): void => {
  describe(`ChatStore contract: ${backendName}`, () => {
    let fixture: ChatStoreFixture;
    let store: ChatStore;
    let opened: ChatStore[] = [];

    beforeEach(async () => {
      fixture = await openStore();
      store = fixture.store;
      opened = [store];
    });

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await fixture.cleanup();
    });

    const ctx: ContractContext = {
      backendName,
      get store() {
        return store;
      },
      get canReopen() {
        return fixture.reopen !== undefined;
      },
      async reopen() {
        if (!fixture.reopen) throw new Error(`${backendName} cannot reopen its data`);
        for (const each of opened.splice(0)) await each.close();
        store = await fixture.reopen();
        opened.push(store);
      },
      ...contractHelpers(() => store),
    };

    describeRoomsAndAppends(ctx);
    describeHistoryAndUsers(ctx);
    describeRoomLog(ctx);
    describeLogPages(ctx);
    describeReadState(ctx);
  });
};

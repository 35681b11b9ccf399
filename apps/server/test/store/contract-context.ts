import type { Message, User } from '@chatter/protocol';
import { expect } from 'vitest';
import type { AppendResult, ChatStore, HistoryPage } from '../../src/store/chat-store.js';

export const ADA: User = { id: 'user-ada', name: 'Ada' };
export const BOB: User = { id: 'user-bob', name: 'Bob' };

export const seqsOf = (page: HistoryPage): number[] => page.messages.map((message) => message.seq);

export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the contract's test groups share: the store under test and helpers around it. */
export interface ContractContext {
  readonly backendName: string;
  /** The store of the current test; replaced by `reopen`. */
  readonly store: ChatStore;
  readonly canReopen: boolean;
  /** Closes every store the test holds and opens the same data again. */
  reopen(): Promise<void>;
  append(
    room: string,
    text: string,
    options?: { author?: User; clientId?: string },
  ): Promise<AppendResult>;
  /** Appends `count` messages one after another and returns them in order. */
  fill(room: string, count: number): Promise<Message[]>;
  /** Reads a room newest to oldest with `before`, checking every page on the way. */
  walkBackwards(room: string, limit: number): Promise<Message[]>;
  /** Reads a room oldest to newest with `after`, checking every page on the way. */
  walkForwards(room: string, limit: number): Promise<Message[]>;
}

/** Builds the helpers on top of a getter for the current store. */
export const contractHelpers = (
  currentStore: () => ChatStore,
): Pick<ContractContext, 'append' | 'fill' | 'walkBackwards' | 'walkForwards'> => {
  const append: ContractContext['append'] = (room, text, { author = ADA, clientId } = {}) =>
    currentStore().appendMessage({
      room,
      text,
      author,
      ...(clientId === undefined ? {} : { clientId }),
    });

  return {
    append,

    async fill(room, count) {
      const messages: Message[] = [];
      for (let index = 1; index <= count; index += 1) {
        messages.push((await append(room, `${room} message ${index}`)).message);
      }
      return messages;
    },

    async walkBackwards(room, limit) {
      const seen: Message[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 1000; pages += 1) {
        const page = await currentStore().listMessages({ room, limit, before });
        expect(page.messages.length).toBeLessThanOrEqual(limit);
        seen.unshift(...page.messages);
        if (!page.hasMore) return seen;
        expect(page.messages).toHaveLength(limit);
        before = page.messages[0]?.seq;
      }
      throw new Error('walking backwards did not reach the first message');
    },

    async walkForwards(room, limit) {
      const seen: Message[] = [];
      let after = 0;
      for (let pages = 0; pages < 1000; pages += 1) {
        const page = await currentStore().listMessages({ room, limit, after });
        expect(page.messages.length).toBeLessThanOrEqual(limit);
        seen.push(...page.messages);
        if (!page.hasMore) return seen;
        expect(page.messages).toHaveLength(limit);
        after = page.messages.at(-1)?.seq ?? after;
      }
      throw new Error('walking forwards did not reach the newest message');
    },
  };
};

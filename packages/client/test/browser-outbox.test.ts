import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type * as Sdk from '../src/index.js';
import { bundleSdk, collectPageErrors, launchChromium, PageServer } from './support/browser.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

declare global {
  interface Window {
    Chatter: typeof Sdk;
    chat: Sdk.ChatterClient;
    room: Sdk.Room;
  }
}

type OutboxKind = 'localStorage' | 'IndexedDB';

const ROOM = 'general';
const USER = { id: 'reloader', name: 'Reloader' };
const TEXT = 'survives reload';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sharedCleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of sharedCleanups.splice(0).reverse()) await cleanup();
});

let shared: Promise<{ browser: Browser; pages: PageServer }> | undefined;
/**
 * The browser and page server, started by the first test rather than in `beforeAll`: vitest
 * reports the tests of a failed `beforeAll` as skipped, and a missing Chromium must fail them.
 */
const browserAndPages = () => {
  shared ??= (async () => {
    const pages = new PageServer(await bundleSdk());
    await pages.listen();
    sharedCleanups.push(() => pages.close());
    const browser = await launchChromium();
    sharedCleanups.push(() => browser.close());
    return { browser, pages };
  })();
  return shared;
};

/** Creates the page's client, as an app does on load, and starts connecting. */
const createChat = (page: Page, options: { kind: OutboxKind; url: string; token: string }) =>
  page.evaluate(({ kind, url, token }) => {
    const { Chatter } = window;
    window.chat = Chatter.createChatterClient({
      url,
      getToken: () => token,
      outbox:
        kind === 'localStorage'
          ? Chatter.createLocalStorageOutbox()
          : Chatter.createIndexedDbOutbox(),
      transports: ['websocket'],
      reconnectionDelayMs: 50,
      reconnectionDelayMaxMs: 250,
    });
    // Settles once connected; until then a rejection must not count as unhandled.
    window.chat.connect().catch(() => {});
  }, options);

/** Joins the room, resolving once joined (so only once the server is reachable). */
const joinRoom = (page: Page) =>
  page.evaluate(async (room) => {
    window.room = await window.chat.join(room);
  }, ROOM);

/**
 * What the outbox storage holds, read directly from localStorage (key `chatter:outbox`) or
 * IndexedDB (database `chatter`, store `outbox`); `null` when it was never written.
 */
const readOutbox = (page: Page, kind: OutboxKind): Promise<Sdk.StoredOutboxEntry[] | null> =>
  page.evaluate(async (kind) => {
    if (kind === 'localStorage') {
      const raw = localStorage.getItem('chatter:outbox');
      return raw === null ? null : JSON.parse(raw);
    }
    // Opening a database that does not exist would create it, empty, under the SDK's feet.
    const databases = await indexedDB.databases();
    if (!databases.some((database) => database.name === 'chatter')) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('chatter');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    try {
      return await new Promise<Sdk.StoredOutboxEntry[]>((resolve, reject) => {
        const request = db.transaction('outbox', 'readonly').objectStore('outbox').getAll();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    } finally {
      db.close();
    }
  }, kind);

describe('the persistent outboxes in a browser', () => {
  it.each<OutboxKind>(['localStorage', 'IndexedDB'])(
    'a message pending in the %s outbox survives a page reload and is stored exactly once',
    async (kind) => {
      const { browser, pages } = await browserAndPages();
      const server = new ServerProcess({ env: { CORS_ORIGINS: pages.origin } });
      cleanups.push(() => server.dispose());
      await server.start();
      const context = await browser.newContext();
      cleanups.push(() => context.close());
      const page = await context.newPage();

      // While the server is down, Chromium logs each refused WebSocket attempt to it as a
      // console error that the app cannot prevent. Nothing else may be logged, and not even
      // that once the reloaded page is connected again.
      const refused = `WebSocket connection to 'ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket' failed: Error in connection establishment: net::ERR_CONNECTION_REFUSED`;
      let outage = false;
      let refusedAttempts = 0;
      const errors = collectPageErrors(page, (text) => {
        const expected = outage && text === refused;
        if (expected) refusedAttempts += 1;
        return expected;
      });

      await page.goto(pages.origin);
      const token = await server.token(USER);
      await createChat(page, { kind, url: server.url, token });
      await joinRoom(page);

      outage = true;
      await server.stop();
      await waitFor('the page to notice', () =>
        page.evaluate(() => window.chat.connectionStatus === 'connecting'),
      );
      // Not awaited: it cannot settle while the server is down, and the reload drops it.
      await page.evaluate((text) => {
        void window.room.send(text);
      }, TEXT);
      await waitFor('the message to be pending', () =>
        page.evaluate(() => window.room.pending.length === 1),
      );
      const [pending] = await page.evaluate(() => [...window.room.pending]);
      expect(pending).toEqual({
        clientId: expect.any(String),
        room: ROOM,
        kind: 'message',
        text: TEXT,
        createdAt: expect.any(String),
        state: 'queued',
        waitingFor: 'connection',
      });
      if (!pending) throw new Error('nothing is pending');
      const entry = {
        clientId: pending.clientId,
        userId: USER.id,
        room: ROOM,
        kind: 'message',
        text: TEXT,
        createdAt: pending.createdAt,
      };
      expect(await readOutbox(page, kind)).toMatchObject([entry]);

      await page.reload();
      expect(await readOutbox(page, kind)).toMatchObject([entry]);

      // The app boots while the server is still down, as after a reload on a flaky network,
      // and can show the message as pending before it can join anything.
      const attemptsBefore = refusedAttempts;
      await createChat(page, { kind, url: server.url, token });
      await waitFor('the restored message to show as pending', () =>
        page.evaluate(() => window.chat.pending.length === 1),
      );
      expect(await page.evaluate(() => [...window.chat.pending])).toEqual([pending]);
      const rejoined = joinRoom(page);
      rejoined.catch(() => {});
      await waitFor(
        'a refused attempt from the reloaded page',
        () => refusedAttempts > attemptsBefore,
      );
      await server.start();
      await rejoined;
      outage = false;

      await waitFor('the reloaded page to deliver the message', () =>
        page.evaluate(
          (text) =>
            window.room.pending.length === 0 &&
            window.room.messages.some((message) => message.text === text),
          TEXT,
        ),
      );
      await waitFor(
        'the outbox storage to be emptied',
        async () => (await readOutbox(page, kind))?.length === 0,
      );

      const stored = await server.history(ROOM);
      expect(stored).toEqual([
        {
          id: expect.any(String),
          room: ROOM,
          seq: 1,
          text: TEXT,
          author: USER,
          createdAt: expect.any(String),
          clientId: entry.clientId,
        },
      ]);
      expect(await page.evaluate(() => window.room.messages)).toEqual(stored);
      expect(await page.evaluate(() => window.room.pending)).toEqual([]);
      expect(errors).toEqual([]);
    },
    60_000,
  );
});

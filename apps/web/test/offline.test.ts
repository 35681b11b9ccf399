import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertWebAppBuilt,
  checkedPeople,
  join,
  launchChromium,
  messageBox,
  messageItems,
  type OpenOptions,
  type Person,
  PHONE,
  ServerProcess,
  screenshot,
  send,
} from './support/app.js';

// Each test stops its server, so each has its own.
let browser: Browser;
let server: ServerProcess;
// Closed and checked for errors after each test.
const people = checkedPeople();

beforeAll(async () => {
  assertWebAppBuilt();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await server?.dispose();
});

/** Requests fail while the server is down; Chromium logs those, and only those are expected. */
const person = async (
  name: string,
  options: { viewport?: { width: number; height: number }; prepare?: OpenOptions['prepare'] } = {},
) => {
  const joined = await join(browser, server, name, { allowNetworkErrors: true, ...options });
  people.push(joined);
  return joined;
};

// Hidden (and so out of the accessibility tree) while connected, hence `includeHidden`.
const connectionBanner = (someone: Person) =>
  someone.page.getByRole('status', { includeHidden: true }).first();

const stored = (someone: Person, text: string) =>
  someone.page.locator('li.message[data-seq]', { hasText: text });

const pending = (someone: Person, text: string) =>
  someone.page.locator('li.message.pending', { hasText: text });

/**
 * A switch that cuts the page's link to the socket (both transports) while the page itself
 * still loads. It must be in place before the page loads: Socket.IO keeps the WebSocket
 * constructor it found then, so a route added later would miss its reconnections.
 */
const socketSwitch = () => {
  let cut = false;
  return {
    prepare: async (context: BrowserContext) => {
      await context.route(/\/socket\.io\//, (route) => (cut ? route.abort() : route.continue()));
      await context.routeWebSocket(/\/socket\.io\//, (socket) => {
        if (cut) socket.close();
        else socket.connectToServer();
      });
    },
    cut: () => {
      cut = true;
    },
    restore: () => {
      cut = false;
    },
  };
};

describe('the web app without its server', () => {
  it('shows a message typed while the server is down as pending, then delivers it once', async () => {
    server = new ServerProcess();
    await server.start();
    const ada = await person('Ada');
    const bob = await person('Bob', { viewport: PHONE });
    await send(ada.page, 'while everyone is here');
    // Ada's own copy is stored once its acknowledgement is in; Bob's broadcast can come first,
    // and a crash between the two would leave it waiting in Ada's outbox (to be resent, and
    // answered with the original).
    await stored(ada, 'while everyone is here').waitFor();
    await stored(bob, 'while everyone is here').waitFor();

    // A crash: a graceful stop would first wait for the connected pages to leave.
    await server.stop('SIGKILL');
    await expect.poll(() => connectionBanner(ada).textContent()).toMatch(/Offline/);
    await send(ada.page, 'typed while the server was down');
    const waiting = pending(ada, 'typed while the server was down');
    await waiting.waitFor();
    expect(await waiting.textContent()).toMatch(/Pending: it will be sent when the connection/);
    await expect.poll(() => connectionBanner(ada).textContent()).toMatch(/1 waiting to be sent/);
    await screenshot(ada.page, 'offline-pending-desktop');
    await expect.poll(() => connectionBanner(bob).textContent()).toMatch(/Offline/);
    await screenshot(bob.page, 'offline-phone');

    await server.start();
    await stored(ada, 'typed while the server was down').waitFor({ timeout: 20_000 });
    await waiting.waitFor({ state: 'detached' });
    await stored(bob, 'typed while the server was down').waitFor({ timeout: 20_000 });
    await expect.poll(() => connectionBanner(ada).textContent()).toBe('');

    const history = await server.history('general');
    expect(history.map((message) => message.text)).toEqual([
      'while everyone is here',
      'typed while the server was down',
    ]);
    for (const someone of [ada, bob]) {
      expect(
        await messageItems(someone.page)
          .filter({ hasText: 'typed while the server was down' })
          .count(),
      ).toBe(1);
    }
  });

  it('keeps pending messages through a reload and sends them once the connection is back', async () => {
    server = new ServerProcess();
    await server.start();
    const link = socketSwitch();
    const ada = await person('Ada', { prepare: link.prepare });
    link.cut();
    // Drops the live connection; the cut keeps the page from coming back on its own.
    await server.restart('SIGKILL');
    await expect.poll(() => connectionBanner(ada).textContent()).toMatch(/Offline/);

    await send(ada.page, 'first, before the reload');
    await send(ada.page, 'second, before the reload');
    await pending(ada, 'second, before the reload').waitFor();

    await ada.page.reload();
    // Back from the outbox in IndexedDB, in order, while still cut off.
    await pending(ada, 'first, before the reload').waitFor();
    await pending(ada, 'second, before the reload').waitFor();
    const texts = await messageItems(ada.page).locator('.message-text').allTextContents();
    expect(texts).toEqual(['first, before the reload', 'second, before the reload']);
    expect(await messageBox(ada.page).isEnabled()).toBe(false);
    await expect.poll(() => connectionBanner(ada).textContent()).toMatch(/2 waiting to be sent/);
    await screenshot(ada.page, 'reload-pending-desktop');

    link.restore();
    await stored(ada, 'second, before the reload').waitFor({ timeout: 20_000 });
    await expect
      .poll(async () => (await server.history('general')).map((message) => message.text))
      .toEqual(['first, before the reload', 'second, before the reload']);
    expect(await ada.page.locator('li.message.pending').count()).toBe(0);
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertWebAppBuilt,
  checkedPeople,
  join,
  launchChromium,
  messageBox,
  messageItems,
  messageLog,
  openApp,
  type Person,
  PHONE,
  peopleList,
  ServerProcess,
  screenshot,
  send,
} from './support/app.js';

let browser: Browser;
let server: ServerProcess;
// Closed and checked for errors after each test.
const people = checkedPeople();

beforeAll(async () => {
  assertWebAppBuilt();
  server = new ServerProcess();
  [browser] = await Promise.all([launchChromium(), server.start()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/** Joins and remembers the person, so their page is checked for errors after the test. */
const person = async (name: string, options: Parameters<typeof join>[3] = {}) => {
  const joined = await join(browser, server, name, options);
  people.push(joined);
  return joined;
};

const openRoom = async (someone: Person, room: string) => {
  const box = someone.page.getByRole('textbox', { name: 'Join or create a room' });
  // On a phone the rooms are in a drawer behind the menu button.
  const menu = someone.page.getByRole('button', { name: 'Rooms and people' });
  if ((await menu.count()) > 0) await menu.click();
  await box.fill(room);
  await box.press('Enter');
  await someone.page.getByRole('heading', { level: 1, name: room }).waitFor();
  await expect.poll(() => messageBox(someone.page).isEnabled()).toBe(true);
};

const itemWithText = (someone: Person, text: string) =>
  messageItems(someone.page).filter({ hasText: text });

describe('the web app', () => {
  it('lets two people in two browsers chat, with authors, times and a typing indicator', async () => {
    const ada = await person('Ada');
    const bob = await person('Bob', { viewport: PHONE });
    await openRoom(ada, 'lobby');
    await openRoom(bob, 'lobby');

    await send(ada.page, 'Hello Bob, how are you?');
    const atBob = itemWithText(bob, 'Hello Bob, how are you?');
    await atBob.waitFor();
    await expect.poll(() => atBob.locator('.message-author').textContent()).toBe('Ada');
    const time = await atBob.locator('time').getAttribute('datetime');
    expect(Date.now() - Date.parse(time ?? '')).toBeLessThan(60_000);

    await messageBox(bob.page).pressSequentially('Fine, tha');
    await ada.page.getByText('Bob is typing…').waitFor();
    await messageBox(bob.page).pressSequentially('nks!');
    await messageBox(bob.page).press('Shift+Enter');
    await messageBox(bob.page).pressSequentially('And you?');
    await messageBox(bob.page).press('Enter');
    await expect.poll(() => messageBox(bob.page).inputValue()).toBe('');

    const reply = itemWithText(ada, 'Fine, thanks!');
    await reply.waitFor();
    // Shift+Enter made a line break inside one message, not a second message.
    expect(await reply.locator('.message-text').textContent()).toBe('Fine, thanks!\nAnd you?');
    await ada.page.getByText('Bob is typing…').waitFor({ state: 'detached' });

    for (const someone of [ada, bob]) {
      const texts = await messageItems(someone.page).locator('.message-text').allTextContents();
      expect(texts).toEqual(['Hello Bob, how are you?', 'Fine, thanks!\nAnd you?']);
    }
    await screenshot(ada.page, 'chat-desktop');
    await screenshot(bob.page, 'chat-phone');
    await bob.page.getByRole('button', { name: 'Rooms and people' }).click();
    await bob.page.locator('.chat[data-drawer="open"]').waitFor();
    await screenshot(bob.page, 'chat-phone-menu');
  });

  it('talks to the server over WebSocket from the first load, never long-polling', async () => {
    const ada = await person('Ada');
    await openRoom(ada, 'transport');
    await send(ada.page, 'over a WebSocket');
    await itemWithText(ada, 'over a WebSocket').and(ada.page.locator('[data-seq]')).waitFor();

    // Long-polling requests would be fetches of /socket.io/ in the page's resource timings;
    // a WebSocket is not a resource, so an app that chats without any went over WebSocket.
    const socketIoFetches = await ada.page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => entry.name)
        .filter((url) => url.includes('/socket.io/')),
    );
    expect(socketIoFetches).toEqual([]);
  });

  it('joins or creates rooms by name and counts what is unread in the others', async () => {
    const ada = await person('Ada Rooms');
    const bob = await person('Bob Rooms');
    // What people type is turned into a room name: "#Design Team" is design-team.
    await ada.page.getByRole('textbox', { name: 'Join or create a room' }).fill('#Design Team');
    await ada.page.getByRole('textbox', { name: 'Join or create a room' }).press('Enter');
    await ada.page.getByRole('heading', { level: 1, name: 'design-team' }).waitFor();
    expect(new URL(ada.page.url()).hash).toBe('#design-team');

    await openRoom(bob, 'design-team');
    const nav = ada.page.getByRole('navigation', { name: 'Rooms' });
    await nav.getByRole('link', { name: /^general/ }).click();
    await ada.page.getByRole('heading', { level: 1, name: 'general' }).waitFor();

    await send(bob.page, 'First in design');
    await send(bob.page, 'Second in design');
    const designLink = nav.getByRole('link', { name: /design-team/ });
    await expect.poll(() => designLink.textContent()).toMatch(/2 unread messages/);
    await expect.poll(() => ada.page.title()).toBe('(2) #general · Chatter');

    await designLink.click();
    await itemWithText(ada, 'Second in design').waitFor();
    await expect.poll(() => designLink.textContent()).not.toMatch(/unread/);
    await expect.poll(() => ada.page.title()).toBe('#design-team · Chatter');

    // A reload keeps the rooms and what was read in them.
    await ada.page.reload();
    await ada.page.getByRole('heading', { level: 1, name: 'design-team' }).waitFor();
    await nav.getByRole('link', { name: /^general/ }).waitFor();
    await itemWithText(ada, 'Second in design').waitFor();
    expect(await designLink.textContent()).not.toMatch(/unread/);

    await ada.page.getByRole('button', { name: 'Leave #design-team' }).click();
    await ada.page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
    await designLink.waitFor({ state: 'detached' });
  });

  it('shows who is online, away, and offline with when they were last seen', async () => {
    const ada = await person('Ada Presence');
    const grace = await person('Grace Presence');
    const graceAtAda = peopleList(ada.page).filter({ hasText: 'Grace Presence' });
    await expect.poll(() => graceAtAda.textContent()).toMatch(/Online/);
    const self = peopleList(ada.page).first();
    expect(await self.textContent()).toMatch(/Ada Presence \(you\)Online/);

    // A hidden tab counts as away.
    await grace.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(() => graceAtAda.textContent()).toMatch(/Away/);
    await grace.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(() => graceAtAda.textContent()).toMatch(/Online/);

    await grace.context.close();
    await expect
      .poll(() => graceAtAda.textContent(), { timeout: 15_000 })
      .toMatch(/Offline, last seen just now/);
    await screenshot(ada.page, 'presence-desktop');
  });

  it('loads older history when scrolling up, keeping the place, and follows new messages', async () => {
    for (let index = 1; index <= 230; index += 1) {
      await server.post('archive', `archived message ${index}`);
    }
    const ada = await openApp(browser, server, 'Ada History');
    people.push(ada);
    // A link to a room opens it after signing in.
    await ada.page.goto(`${server.url}/#archive`);
    await ada.page.getByRole('textbox', { name: 'Name' }).fill(ada.name);
    await ada.page.getByRole('textbox', { name: 'Name' }).press('Enter');
    await ada.page.getByRole('heading', { level: 1, name: 'archive' }).waitFor();
    await itemWithText(ada, 'archived message 230').waitFor();
    expect(
      await messageItems(ada.page)
        .filter({ hasText: /^archived message 1$/ })
        .count(),
    ).toBe(0);
    const log = messageLog(ada.page);
    await expect.poll(() => log.evaluate(atBottom)).toBe(true);

    // Scroll up step by step, as a person would, until the beginning of the room.
    const shown = () => messageItems(ada.page).count();
    const before = await shown();
    await log.evaluate((element) => {
      element.scrollTop = 0;
    });
    await expect.poll(shown).toBeGreaterThan(before);
    // The reader stays where they were: the newly loaded page is above, not under their eyes.
    expect(await log.evaluate((element) => element.scrollTop)).toBeGreaterThan(100);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      if (await ada.page.getByText('This is the very beginning of').isVisible()) break;
      await log.evaluate((element) => {
        element.scrollTop = 0;
      });
      await ada.page.waitForTimeout(150);
    }
    await ada.page.getByText('This is the very beginning of').waitFor();
    const texts = await messageItems(ada.page).locator('.message-text').allTextContents();
    expect(texts).toEqual(
      Array.from({ length: 230 }, (_, index) => `archived message ${index + 1}`),
    );

    // Reading history: a new message does not pull the view down, but says it is there.
    await server.post('archive', 'a new one while reading');
    await ada.page.getByRole('button', { name: 'New messages below' }).waitFor();
    expect(await log.evaluate(atBottom)).toBe(false);
    await ada.page.getByRole('button', { name: 'New messages below' }).click();
    await expect.poll(() => log.evaluate(atBottom)).toBe(true);

    // At the bottom: new messages scroll into view by themselves.
    await server.post('archive', 'and one more at the bottom');
    await itemWithText(ada, 'and one more at the bottom').waitFor();
    await expect.poll(() => log.evaluate(atBottom)).toBe(true);
    expect(await ada.page.getByRole('button', { name: 'New messages below' }).count()).toBe(0);
  });

  it('keeps identity and history across a reload; another browser is someone new', async () => {
    const ada = await person('Ada Reload');
    await openRoom(ada, 'reload');
    await send(ada.page, 'before the reload');
    // Stored (it has its seq), not only pending.
    await ada.page
      .locator('li.message[data-seq]', { hasText: 'before the reload' })
      .waitFor({ timeout: 10_000 })
      .catch(async (error) => {
        console.log(await messageLog(ada.page).innerHTML());
        throw error;
      });
    const session = await ada.page.evaluate(() => sessionStorage.getItem('chatter.session'));

    await ada.page.reload();
    await ada.page.getByRole('heading', { level: 1, name: 'reload' }).waitFor();
    expect(await ada.page.getByRole('textbox', { name: 'Name' }).count()).toBe(0);
    await itemWithText(ada, 'before the reload').waitFor();
    expect(await itemWithText(ada, 'before the reload').count()).toBe(1);
    expect(await ada.page.evaluate(() => sessionStorage.getItem('chatter.session'))).toBe(session);
    await send(ada.page, 'after the reload');
    await expect
      .poll(async () => (await server.history('reload')).map((message) => message.author.name))
      .toEqual(['Ada Reload', 'Ada Reload']);
    const ids = new Set((await server.history('reload')).map((message) => message.author.id));
    expect(ids.size).toBe(1);

    const stranger = await openApp(browser, server, 'Stranger');
    people.push(stranger);
    await stranger.page.getByRole('textbox', { name: 'Name' }).waitFor();
  });

  it('shows markup in messages as text and runs none of it', async () => {
    const ada = await person('Ada Markup');
    const bob = await person('Bob Markup');
    for (const someone of [ada, bob]) {
      someone.page.on('dialog', (dialog) => {
        someone.errors.push(`a dialog opened: ${dialog.message()}`);
        void dialog.dismiss();
      });
    }
    await openRoom(ada, 'markup');
    await openRoom(bob, 'markup');
    const payloads = [
      '<img src=x onerror="window.__pwned = 1; alert(1)">',
      '<script>window.__pwned = 2</script><b>bold?</b>',
      '[click](javascript:alert(1)) javascript:alert(1) <a href="javascript:alert(1)">x</a>',
      'A real link: https://example.com/a?b=1&c=<2>.',
    ];
    for (const text of payloads) await send(ada.page, text);
    await itemWithText(bob, 'A real link').waitFor();

    for (const someone of [ada, bob]) {
      const log = messageLog(someone.page);
      expect(await messageItems(someone.page).locator('.message-text').allTextContents()).toEqual(
        payloads,
      );
      expect(await log.locator('img, script, b').count()).toBe(0);
      // Only the http(s) link became a link, and it opens safely elsewhere.
      const links = log.locator('.message-text a');
      expect(await links.count()).toBe(1);
      expect(await links.getAttribute('href')).toBe('https://example.com/a?b=1&c=');
      expect(await links.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(await someone.page.evaluate(() => '__pwned' in window)).toBe(false);
    }

    const response = await ada.page.request.get(server.url);
    const policy = response.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    // The page itself obeys it: an inline script is refused.
    const inlineRan = await ada.page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inline = true';
      document.head.append(script);
      await new Promise((resolve) => setTimeout(resolve, 50));
      return '__inline' in window;
    });
    expect(inlineRan).toBe(false);
    // That refusal is the only console error we caused on purpose.
    ada.errors.splice(
      0,
      ada.errors.length,
      ...ada.errors.filter((error) => !error.includes('Content Security Policy')),
    );
  });

  it('says why a message was not sent, and lets the person edit or discard it', async () => {
    const ada = await person('Ada Failed');
    const userId = await ada.page.evaluate(
      () => JSON.parse(sessionStorage.getItem('chatter.session') ?? '{}').user.id as string,
    );
    // An outbox entry the server refuses: its clientId breaks the protocol's pattern.
    await ada.page.evaluate(
      (entry) =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.open('chatter', 1);
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            const transaction = request.result.transaction('outbox', 'readwrite');
            transaction.objectStore('outbox').put({ ...entry, order: 1_000_000 });
            transaction.oncomplete = () => resolve();
            transaction.onerror = () => reject(transaction.error);
          };
        }),
      {
        clientId: 'not a valid id!',
        userId,
        room: 'general',
        text: 'refused by the server',
        createdAt: new Date().toISOString(),
      },
    );
    await ada.page.reload();
    const failed = itemWithText(ada, 'refused by the server');
    await expect.poll(() => failed.getAttribute('data-state')).toBe('failed');
    expect(await failed.textContent()).toMatch(/Not sent: .*clientId/);
    await screenshot(ada.page, 'failed-desktop');

    await failed.getByRole('button', { name: 'Edit' }).click();
    await expect.poll(() => messageBox(ada.page).inputValue()).toBe('refused by the server');
    await failed.waitFor({ state: 'detached' });
    await messageBox(ada.page).press('Enter');
    await expect
      .poll(async () => (await server.history('general')).map((message) => message.text))
      .toContain('refused by the server');
  });
});

function atBottom(element: Element): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight < 48;
}

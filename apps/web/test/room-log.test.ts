import type { Message } from '@chatter/protocol';
import type { Browser, BrowserContext, Locator, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assertWebAppBuilt,
  checkedPeople,
  join,
  launchChromium,
  messageBox,
  messageLog,
  type OpenOptions,
  openAs,
  type Person,
  ServerProcess,
  screenshot,
  send,
} from './support/app.js';
import { focused, pressUntil, withoutIndicator } from './support/keyboard.js';

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

/** Signs a new person in through the name box; their page is checked for errors after the test. */
const person = async (name: string, options: OpenOptions = {}): Promise<Person> => {
  const joined = await join(browser, server, name, options);
  people.push(joined);
  return joined;
};

/** A new browser signed in as `user`: one user on several devices. */
const device = async (user: { id: string; name: string }): Promise<Person> => {
  const opened = await openAs(browser, server, user);
  people.push(opened);
  return opened;
};

const rooms = (page: Page): Locator => page.getByRole('navigation', { name: 'Rooms' });

const roomLink = (page: Page, room: string): Locator =>
  rooms(page).getByRole('link', { name: new RegExp(`^${room}\\b`) });

/** The room names in the sidebar, in their order. */
const roomNames = (page: Page): Promise<string[]> =>
  rooms(page)
    .locator('.room-link-name')
    .evaluateAll((names) => names.map((name) => name.textContent ?? ''));

const openRoom = async (someone: Person, room: string): Promise<void> => {
  const box = someone.page.getByRole('textbox', { name: 'Join or create a room' });
  await box.fill(room);
  await box.press('Enter');
  await someone.page.getByRole('heading', { level: 1, name: room }).waitFor();
  await someone.page.locator('#composer:enabled').waitFor();
};

/** The stored copy of a message (it has a `seq`), found by its text. */
const stored = (page: Page, text: string): Locator =>
  messageLog(page).locator('li.message[data-seq]').filter({ hasText: text });

/** One stored message by id: its row stays the same through edits and deletion. */
const row = (page: Page, id: string): Locator =>
  messageLog(page).locator(`li.message[data-message-id="${id}"]`);

const idOf = async (locator: Locator): Promise<string> => {
  const id = await locator.getAttribute('data-message-id');
  if (!id) throw new Error('the row has no message id');
  return id;
};

const textOf = (locator: Locator): Promise<string | null> =>
  locator.locator('.message-text').textContent();

/** The actions show on hover (and on focus), like they do for a person with a mouse. */
const action = async (message: Locator, name: string): Promise<Locator> => {
  await message.hover();
  return message.getByRole('group', { name: /^Actions for/ }).getByRole('button', { name });
};

const chip = (message: Locator, emojiName: string): Locator =>
  message
    .getByRole('group', { name: 'Reactions' })
    .getByRole('button', { name: new RegExp(`^${emojiName}:`) });

/** Picks `emojiName` from the message's reaction picker, with the mouse. */
const reactWith = async (message: Locator, emojiName: string): Promise<void> => {
  await (await action(message, 'Add reaction')).click();
  const menu = message.getByRole('menu', { name: 'Add a reaction' });
  await menu.getByRole('menuitemcheckbox', { name: emojiName }).click();
  await menu.waitFor({ state: 'detached' });
};

const historyMessage = async (room: string, id: string): Promise<Message | undefined> =>
  (await server.history(room)).find((message) => message.id === id);

/** Whether `inner` lies wholly inside what `outer` shows. */
const isWithin = async (inner: Locator, outer: Locator): Promise<boolean> => {
  const [a, b] = await Promise.all([inner.boundingBox(), outer.boundingBox()]);
  return a !== null && b !== null && a.y >= b.y - 1 && a.y + a.height <= b.y + b.height + 1;
};

/**
 * A switch for one page's link to the server's socket (both transports): `cut` closes the open
 * socket and refuses new ones, so the app is offline while REST and the page itself still load.
 * In place before the page loads: Socket.IO keeps the WebSocket constructor it found then.
 */
const socketSwitch = () => {
  let cut = false;
  const open: WebSocketRoute[] = [];
  return {
    prepare: async (context: BrowserContext) => {
      await context.route(/\/socket\.io\//, (route) => (cut ? route.abort() : route.continue()));
      await context.routeWebSocket(/\/socket\.io\//, (socket) => {
        if (cut) {
          void socket.close();
          return;
        }
        open.push(socket, socket.connectToServer());
      });
    },
    cut: async () => {
      cut = true;
      await Promise.all(open.splice(0).map((side) => side.close().catch(() => undefined)));
    },
    restore: () => {
      cut = false;
    },
  };
};

describe('edits, deletions and reactions', () => {
  it('shows each person the other’s edits and reactions as they happen', async () => {
    const ada = await person('Ada Live');
    const bob = await person('Bob Live');
    await openRoom(ada, 'log-live');
    await openRoom(bob, 'log-live');
    await send(ada.page, 'Lunch at noon?');
    const id = await idOf(stored(ada.page, 'Lunch at noon?'));
    await row(bob.page, id).waitFor();

    // Ada edits in place: Enter saves.
    await (await action(row(ada.page, id), 'Edit')).click();
    const editor = row(ada.page, id).getByRole('textbox', { name: 'Edit message' });
    await expect.poll(() => editor.evaluate((box) => box === document.activeElement)).toBe(true);
    expect(await editor.inputValue()).toBe('Lunch at noon?');
    await screenshot(ada.page, 'edit-desktop');
    await editor.fill('Lunch at one?');
    await editor.press('Enter');
    await editor.waitFor({ state: 'detached' });
    // Bob's copy changes in place, marked as edited.
    await expect.poll(() => textOf(row(bob.page, id))).toBe('Lunch at one? (edited)');
    await expect.poll(() => textOf(row(ada.page, id))).toBe('Lunch at one? (edited)');

    // Bob reacts from the picker; Ada sees the count, not pressed for her.
    await reactWith(row(bob.page, id), 'thumbs up');
    await expect
      .poll(() => chip(row(bob.page, id), 'thumbs up').getAttribute('aria-pressed'))
      .toBe('true');
    const adaChip = chip(row(ada.page, id), 'thumbs up');
    await expect.poll(() => adaChip.getAttribute('aria-label')).toBe('thumbs up: 1 person');
    expect(await adaChip.getAttribute('aria-pressed')).toBe('false');
    expect(await adaChip.textContent()).toBe('👍1');

    // A click on the chip adds Ada's reaction, and another takes it back.
    await adaChip.click();
    await expect.poll(() => adaChip.getAttribute('aria-pressed')).toBe('true');
    const bobChip = chip(row(bob.page, id), 'thumbs up');
    await expect.poll(() => bobChip.getAttribute('aria-label')).toBe('thumbs up: 2 people');
    await screenshot(bob.page, 'reactions-desktop');
    await adaChip.click();
    await expect.poll(() => bobChip.getAttribute('aria-label')).toBe('thumbs up: 1 person');
    await expect.poll(() => adaChip.getAttribute('aria-pressed')).toBe('false');

    const saved = await historyMessage('log-live', id);
    expect(saved?.text).toBe('Lunch at one?');
    expect(saved?.editedAt).toBeDefined();
    expect(saved?.reactions?.map(({ emoji, count }) => ({ emoji, count }))).toEqual([
      { emoji: '👍', count: 1 },
    ]);
  });

  it('deletes a message only after confirmation, leaving a tombstone for everyone', async () => {
    const ada = await person('Ada Delete');
    const bob = await person('Bob Delete');
    await openRoom(ada, 'log-delete');
    await openRoom(bob, 'log-delete');
    await send(ada.page, 'Wrong room, sorry');
    const id = await idOf(stored(ada.page, 'Wrong room, sorry'));
    await row(bob.page, id).waitFor();
    // Only the author is offered edit and delete.
    await row(bob.page, id).hover();
    expect(await row(bob.page, id).getByRole('button', { name: 'Delete' }).count()).toBe(0);

    const dialog = ada.page.getByRole('dialog', { name: 'Delete this message?' });
    await (await action(row(ada.page, id), 'Delete')).click();
    await dialog.waitFor();
    // Focus starts on the safe choice; Escape cancels and gives focus back.
    await expect.poll(async () => (await focused(ada.page))?.label).toBe('button "Cancel"');
    await screenshot(ada.page, 'delete-dialog-desktop');
    await ada.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await focused(ada.page))?.label).toBe('button "Delete"');
    expect(await textOf(row(ada.page, id))).toBe('Wrong room, sorry');

    await (await action(row(ada.page, id), 'Delete')).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await dialog.waitFor({ state: 'detached' });
    for (const someone of [ada, bob]) {
      await expect.poll(() => textOf(row(someone.page, id))).toBe('This message was deleted');
    }
    expect(await row(ada.page, id).getByRole('button', { name: 'Edit' }).count()).toBe(0);
    const saved = await historyMessage('log-delete', id);
    expect(saved?.deletedAt).toBeDefined();
    expect(saved?.text).toBe('');
  });

  it('shows edits and reactions made offline as pending until the server has them', async () => {
    const link = socketSwitch();
    const ada = await person('Ada Offline', { allowNetworkErrors: true, prepare: link.prepare });
    await openRoom(ada, 'log-offline');
    await send(ada.page, 'See you tomorow');
    const id = await idOf(stored(ada.page, 'See you tomorow'));
    const message = row(ada.page, id);

    await link.cut();
    await expect
      .poll(() => ada.page.getByRole('status', { includeHidden: true }).first().textContent())
      .toMatch(/Offline/);
    await (await action(message, 'Edit')).click();
    await message.getByRole('textbox', { name: 'Edit message' }).fill('See you tomorrow');
    await message.getByRole('textbox', { name: 'Edit message' }).press('Enter');
    await reactWith(message, 'party');
    // Shown as this person will see it, marked as not saved yet.
    await expect.poll(() => message.getAttribute('class')).toContain('saving');
    expect(await textOf(message)).toBe('See you tomorrow (edited), saving your edit');
    const party = chip(message, 'party');
    expect(await party.getAttribute('aria-label')).toBe('party: 1 person, saving');
    expect(await party.getAttribute('aria-pressed')).toBe('true');
    await screenshot(ada.page, 'pending-changes-desktop');

    link.restore();
    await expect
      .poll(() => message.getAttribute('class'), { timeout: 20_000 })
      .not.toContain('saving');
    await expect.poll(() => party.getAttribute('aria-label')).toBe('party: 1 person');
    expect(await textOf(message)).toBe('See you tomorrow (edited)');
    const saved = await historyMessage('log-offline', id);
    expect(saved?.text).toBe('See you tomorrow');
    expect(saved?.reactions?.map(({ emoji }) => emoji)).toEqual(['🎉']);
  });
});

describe('replies', () => {
  it('quotes the message replied to, in the composer and in the reply', async () => {
    const ada = await person('Ada Reply');
    const bob = await person('Bob Reply');
    await openRoom(ada, 'log-reply');
    await openRoom(bob, 'log-reply');
    await send(bob.page, 'Who is bringing snacks?');
    const parentId = await idOf(stored(ada.page, 'Who is bringing snacks?'));

    const preview = ada.page.locator('#composer-reply');
    await (await action(row(ada.page, parentId), 'Reply')).click();
    await expect
      .poll(() => preview.textContent())
      .toBe('Replying to Bob Reply: Who is bringing snacks?');
    expect(await messageBox(ada.page).evaluate((box) => box === document.activeElement)).toBe(true);
    // Escape in the composer cancels the reply, not the text.
    await ada.page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });

    await (await action(row(ada.page, parentId), 'Reply')).click();
    await preview.waitFor();
    await ada.page.keyboard.type('I will!');
    await ada.page.keyboard.press('Enter');
    await preview.waitFor({ state: 'detached' });
    for (const someone of [ada, bob]) {
      const reply = stored(someone.page, 'I will!');
      await reply
        .getByRole('button', { name: 'In reply to Bob Reply: Who is bringing snacks?' })
        .waitFor();
    }
    const replyId = await idOf(stored(bob.page, 'I will!'));
    expect((await historyMessage('log-reply', replyId))?.replyTo?.id).toBe(parentId);

    // The quote follows its parent: deleted, it says so.
    await (await action(row(bob.page, parentId), 'Delete')).click();
    await bob.page
      .getByRole('dialog', { name: 'Delete this message?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await stored(ada.page, 'I will!')
      .getByRole('button', { name: 'In reply to Bob Reply: deleted message' })
      .waitFor();
  });

  it('goes to the quoted message, loading older history until it is there', async () => {
    const poster = { id: 'poster-far', name: 'Pat Poster' };
    const parent = await server.post('log-reply-far', 'The very first question', poster);
    // Far enough back that the join's page (100) and an older page the list may prefetch as it
    // opens (50, while it is still near its top) stay short of it: the jump has to load it.
    const fillers = Array.from({ length: 150 }, (_, index) => `filler ${index + 1}`);
    for (const text of fillers) await server.post('log-reply-far', text, poster);
    await postReply('log-reply-far', 'Answering the first question', parent.id);
    const ada = await person('Ada Far');
    await openRoom(ada, 'log-reply-far');
    const reply = stored(ada.page, 'Answering the first question');
    await reply.waitFor();
    expect(await row(ada.page, parent.id).count()).toBe(0);

    await reply
      .getByRole('button', { name: 'In reply to Pat Poster: The very first question' })
      .click();
    const target = row(ada.page, parent.id);
    await target.waitFor();
    await expect.poll(() => target.getAttribute('class')).toContain('highlighted');
    await expect
      .poll(() => target.evaluate((element) => element === document.activeElement))
      .toBe(true);
    await expect.poll(() => isWithin(target, messageLog(ada.page))).toBe(true);
    await screenshot(ada.page, 'reply-jump-desktop');
  });
});

describe('read state across devices', () => {
  it('counts unread messages on every device, and clears them everywhere once read on one', async () => {
    const user = { id: 'dee-devices', name: 'Dee Devices' };
    await server.post('log-news', 'Old news');
    const laptop = await device(user);
    await openRoom(laptop, 'log-news');
    await stored(laptop.page, 'Old news').waitFor();
    await roomLink(laptop.page, 'general').click();
    await laptop.page.getByRole('heading', { level: 1, name: 'general' }).waitFor();

    // Another browser for the same user lists the room from the server.
    const phone = await device(user);
    await roomLink(phone.page, 'log-news').waitFor();
    expect(await roomLink(phone.page, 'log-news').textContent()).not.toMatch(/unread/);

    await server.post('log-news', 'Fresh news');
    for (const someone of [laptop, phone]) {
      await expect
        .poll(() => roomLink(someone.page, 'log-news').textContent())
        .toMatch(/1 unread message$/);
      await expect.poll(() => someone.page.title()).toBe('(1) #general · Chatter');
    }

    await roomLink(laptop.page, 'log-news').click();
    await stored(laptop.page, 'Fresh news').waitFor();
    // The divider sits at the server's read position: after what was read before.
    expect(
      await messageLog(laptop.page).locator('li.unread-divider + li.message').textContent(),
    ).toContain('Fresh news');
    await expect.poll(() => roomLink(phone.page, 'log-news').textContent()).not.toMatch(/unread/);
    await expect.poll(() => phone.page.title()).toBe('#general · Chatter');
  });

  it('gives a new browser signed in as the same user the same room list', async () => {
    const user = { id: 'rae-rooms', name: 'Rae Rooms' };
    const first = await device(user);
    await openRoom(first, 'log-alpha');
    await openRoom(first, 'log-beta');

    const second = await device(user);
    await expect.poll(() => roomNames(second.page)).toEqual(['general', 'log-alpha', 'log-beta']);

    await first.page.getByRole('button', { name: 'Leave #log-beta' }).click();
    await first.page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
    // Leaving is done once the server has forgotten the room.
    await expect.poll(() => serverRooms(user)).toEqual(['general', 'log-alpha']);
    const third = await device(user);
    await roomLink(third.page, 'log-alpha').waitFor();
    expect(await roomNames(third.page)).toEqual(['general', 'log-alpha']);
  });

  it('shows who has seen this person’s last message once they read it', async () => {
    const ada = await person('Ada Seen');
    const bob = await person('Bob Seen');
    await openRoom(bob, 'log-seen');
    await roomLink(bob.page, 'general').click();
    await openRoom(ada, 'log-seen');

    await send(ada.page, 'Did you see this?');
    const first = stored(ada.page, 'Did you see this?');
    await first.waitFor();
    // Bob has it (his badge counts it) but has not read it.
    await expect.poll(() => roomLink(bob.page, 'log-seen').textContent()).toMatch(/1 unread/);
    expect(await first.locator('.seen-by').count()).toBe(0);

    await roomLink(bob.page, 'log-seen').click();
    await expect.poll(() => first.locator('.seen-by').textContent()).toBe('Seen by Bob Seen');
    expect(await first.locator('.seen-by').getAttribute('title')).toBe('Seen by Bob Seen');

    // It moves to the newest message once Bob, still in the room, reads that one too.
    await send(ada.page, 'And this one?');
    const second = stored(ada.page, 'And this one?');
    await expect.poll(() => second.locator('.seen-by').textContent()).toBe('Seen by Bob Seen');
    expect(await first.locator('.seen-by').count()).toBe(0);
  });
});

describe('with the keyboard only', () => {
  it('edits with ArrowUp, reacts from a chip and the picker, and replies', async () => {
    const kay = await person('Kay Keys');
    const bob = await person('Bob Keys');
    await openRoom(kay, 'log-keys');
    await openRoom(bob, 'log-keys');
    await send(bob.page, 'Morning!');
    await reactWith(stored(bob.page, 'Morning!'), 'thumbs up');
    const morningId = await idOf(stored(kay.page, 'Morning!'));
    // By id: the reply below quotes its text.
    const morning = row(kay.page, morningId);
    await chip(morning, 'thumbs up').waitFor();
    const { page } = kay;

    // ArrowUp in the empty composer edits the last own message; Enter saves.
    await messageBox(page).focus();
    await page.keyboard.type('Helo everyone');
    await page.keyboard.press('Enter');
    const id = await idOf(stored(page, 'Helo everyone'));
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await focused(page))?.id).toBe(`edit-${id}`);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Hello everyone');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page))?.id).toBe('composer');
    await expect.poll(() => textOf(row(bob.page, id))).toBe('Hello everyone (edited)');
    // Escape leaves the editor without saving.
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await focused(page))?.id).toBe(`edit-${id}`);
    await page.keyboard.type(' and goodbye');
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await focused(page))?.id).toBe('composer');
    expect(await textOf(row(page, id))).toBe('Hello everyone (edited)');

    // Into the list (one message at a time in the tab order), then up to Bob's message.
    const toList = await pressUntil(page, 'Shift+Tab', (element) =>
      element.label.startsWith('li '),
    );
    expect(withoutIndicator(toList)).toEqual([]);
    await page.keyboard.press('ArrowUp');
    expect((await focused(page))?.message).toBe('Morning!');

    // The chip toggles Kay's reaction; the picker is a menu the arrow keys move through.
    const toChip = await pressUntil(page, 'Tab', (element) => /thumbs up:/.test(element.label));
    expect(withoutIndicator(toChip)).toEqual([]);
    await page.keyboard.press('Enter');
    await expect.poll(() => chip(morning, 'thumbs up').getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(() => chip(row(bob.page, morningId), 'thumbs up').getAttribute('aria-label'))
      .toBe('thumbs up: 2 people');
    const toPicker = await pressUntil(
      page,
      'Tab',
      (element) => element.label === 'button "Add reaction"',
    );
    expect(withoutIndicator(toPicker)).toEqual([]);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page))?.label).toBe('button "thumbs up"');
    await screenshot(page, 'reaction-picker-desktop');
    expect((await focused(page))?.indicator).not.toBeNull();
    await page.keyboard.press('ArrowRight');
    expect((await focused(page))?.label).toBe('button "heart"');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page))?.label).toBe('button "Add reaction"');
    await expect.poll(() => chip(morning, 'heart').getAttribute('aria-pressed')).toBe('true');
    await chip(row(bob.page, morningId), 'heart').waitFor();

    // Reply: the composer takes focus with the quote above it.
    await pressUntil(page, 'Tab', (element) => element.label === 'button "Reply"');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page))?.id).toBe('composer');
    expect(await page.locator('#composer-reply').textContent()).toBe(
      'Replying to Bob Keys: Morning!',
    );
    await page.keyboard.type('Good morning, Bob');
    await page.keyboard.press('Enter');
    const reply = stored(page, 'Good morning, Bob');
    await reply.getByRole('button', { name: 'In reply to Bob Keys: Morning!' }).waitFor();

    // Enter on the quote goes to the message it quotes.
    await pressUntil(page, 'Shift+Tab', (element) => element.label.startsWith('li '));
    await page.keyboard.press('End');
    expect((await focused(page))?.message).toBe('Good morning, Bob');
    const toQuote = await pressUntil(page, 'Tab', (element) =>
      element.label.startsWith('button "In reply to'),
    );
    expect(withoutIndicator(toQuote)).toEqual([]);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page))?.message).toBe('Morning!');
    expect(await morning.getAttribute('class')).toContain('highlighted');
  });
});

/** Posts a reply over REST as another user, the way a bot or another app would. */
async function postReply(room: string, text: string, replyTo: string): Promise<void> {
  const token = await server.token({ id: 'replier', name: 'Ray Replier' });
  const response = await fetch(`${server.url}/api/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ room, text, replyTo }),
  });
  if (response.status !== 201)
    throw new Error(`reply: ${response.status} ${await response.text()}`);
}

/** The rooms the server remembers for `user`, by name. */
async function serverRooms(user: { id: string; name: string }): Promise<string[]> {
  const response = await fetch(`${server.url}/api/rooms`, {
    headers: { authorization: `Bearer ${await server.token(user)}` },
  });
  if (!response.ok) throw new Error(`rooms: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { rooms: Array<{ room: string }> };
  return body.rooms.map(({ room }) => room).sort();
}

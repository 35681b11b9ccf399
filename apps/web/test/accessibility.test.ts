import { createRequire } from 'node:module';
import type Axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors } from '../../../packages/client/test/support/browser.js';
import {
  assertWebAppBuilt,
  checkedPeople,
  DESKTOP,
  launchChromium,
  messageBox,
  messageItems,
  messageLog,
  openApp,
  type Person,
  PHONE,
  peopleList,
  ServerProcess,
  send,
  signIn,
} from './support/app.js';
import { focused, pressUntil, withoutIndicator } from './support/keyboard.js';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_2_1_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

type ColorScheme = 'light' | 'dark';

let browser: Browser;
let server: ServerProcess;
// Closed and checked for errors after each test.
const people = checkedPeople();

beforeAll(async () => {
  assertWebAppBuilt();
  // The tests' usual 1 s typing timeout is shorter than the client's 2 s refresh, so the typing
  // indicator would come and go during a scan.
  server = new ServerProcess({ env: { CHATTER_TYPING_TIMEOUT_MS: '60000' } });
  [browser] = await Promise.all([launchChromium(), server.start()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

/** A person on the sign-in page in a normal context, checked for errors after the test. */
const visitor = async (name: string, viewport = DESKTOP): Promise<Person> => {
  const someone = await openApp(browser, server, name, { viewport });
  people.push(someone);
  return someone;
};

/** A signed-in person in a normal context, checked for errors after the test. */
const member = async (name: string, viewport = DESKTOP): Promise<Person> => {
  const someone = await visitor(name, viewport);
  await signIn(someone);
  return someone;
};

/**
 * A person on the sign-in page in a context where axe can be injected. The app's CSP
 * (`script-src 'self'`) rightly refuses the injected axe script, so only these contexts bypass
 * it; the keyboard and ARIA tests run under the real policy.
 */
const axeVisitor = async (
  name: string,
  viewport: { width: number; height: number },
  colorScheme: ColorScheme,
): Promise<Person> => {
  const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true });
  const page = await context.newPage();
  const someone = { name, context, page, errors: collectPageErrors(page, () => false) };
  people.push(someone);
  await page.goto(server.url);
  const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  expect(dark ? 'dark' : 'light', 'the colour scheme the page sees').toBe(colorScheme);
  return someone;
};

/** Opens `room` the way a link to it does, and waits until it can be written in. */
const openRoom = async (page: Page, room: string): Promise<void> => {
  await page.evaluate((name) => {
    window.location.hash = name;
  }, room);
  await page.getByRole('heading', { level: 1, name: room }).waitFor();
  await page.getByPlaceholder(`Message #${room}`).waitFor();
};

const itemWithText = (page: Page, text: string) => messageItems(page).filter({ hasText: text });

/** The stored copy of a sent message (it has a `seq`), not its pending placeholder. */
const storedWithText = (page: Page, text: string) =>
  messageLog(page).locator('li.message[data-seq]').filter({ hasText: text });

/** Every WCAG 2.1 A and AA violation on the page, one readable entry per rule and element. */
const axeViolations = async (page: Page): Promise<string[]> => {
  if (!(await page.evaluate(() => 'axe' in window))) {
    await page.addScriptTag({ path: AXE_SCRIPT });
  }
  const violations = await page.evaluate(async (tags) => {
    const { axe } = window as unknown as { axe: typeof Axe };
    const results = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return results.violations.map((violation) => ({
      id: violation.id,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.join(' '),
        summary: node.failureSummary ?? '',
      })),
    }));
  }, WCAG_2_1_AA);
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id}: ${violation.help}\n  at ${node.target}\n  ${node.summary.replaceAll('\n', '\n  ')}`,
    ),
  );
};

describe.each<ColorScheme>(['light', 'dark'])(
  'axe finds no WCAG 2.1 AA violation (%s mode)',
  (colorScheme) => {
    it('on the sign-in page', async () => {
      const { page } = await axeVisitor('Sam', DESKTOP, colorScheme);
      await page.getByRole('textbox', { name: 'Name' }).waitFor();

      expect(await axeViolations(page)).toEqual([]);
    });

    it('on the chat screen at desktop width, with grouped messages, people and typing', async () => {
      const room = `axe-desktop-${colorScheme}`;
      const scanned = await axeVisitor('Dana Desk', DESKTOP, colorScheme);
      await signIn(scanned);
      await openRoom(scanned.page, room);
      const other = await member('Eli Other');
      await openRoom(other.page, room);

      await send(other.page, 'Hi Dana, the report is ready: https://example.com/report');
      await itemWithText(scanned.page, 'the report is ready').waitFor();
      // Two in a row from the same person share one header.
      await send(scanned.page, 'Thanks Eli!');
      await send(scanned.page, 'Reading it now.');
      await storedWithText(scanned.page, 'Reading it now.').waitFor();
      await expect.poll(() => messageItems(scanned.page).count()).toBe(3);
      await expect.poll(() => scanned.page.locator('li.message.grouped').count()).toBe(1);
      await peopleList(scanned.page).filter({ hasText: 'Eli Other' }).waitFor();
      // Typing without sending keeps the indicator up at the scanned person's screen.
      await messageBox(other.page).fill('One more thing');
      await scanned.page.getByText('Eli Other is typing…').waitFor();

      expect(await axeViolations(scanned.page)).toEqual([]);
    });

    it('on edits, a deletion, reactions, replies, read receipts, the picker, the editor and the dialog', async () => {
      const room = `axe-log-${colorScheme}`;
      const scanned = await axeVisitor('Rita Review', DESKTOP, colorScheme);
      await signIn(scanned);
      await openRoom(scanned.page, room);
      const other = await member('Omar Other');
      await openRoom(other.page, room);
      const { page } = scanned;

      await send(other.page, 'Can someone review my pull request?');
      await storedWithText(page, 'Can someone review').waitFor();
      // By id from here: the reply below quotes its text.
      const questionId = await storedWithText(page, 'Can someone review').getAttribute(
        'data-message-id',
      );
      const question = messageLog(page).locator(`li[data-message-id="${questionId}"]`);
      await send(page, 'I can take a look');
      await send(page, 'Wrong window, sorry');
      const wrong = storedWithText(page, 'Wrong window');
      await wrong.waitFor();
      // A deletion (a tombstone), an edit (the mark), a reply (the quote).
      await wrong.hover();
      await wrong.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await itemWithText(page, 'This message was deleted').waitFor();
      const mine = storedWithText(page, 'I can take a look');
      await mine.hover();
      await mine.getByRole('button', { name: 'Edit' }).click();
      await page
        .getByRole('textbox', { name: 'Edit message' })
        .fill('I can take a look after lunch');
      await page.getByRole('textbox', { name: 'Edit message' }).press('Enter');
      await question.hover();
      await question.getByRole('button', { name: 'Reply' }).click();
      await page.keyboard.type('Looking now');
      await page.keyboard.press('Enter');
      const reply = storedWithText(page, 'Looking now');
      await reply.getByRole('button', { name: /^In reply to Omar Other/ }).waitFor();
      // Reactions: one this person made (pressed), one they did not.
      await question.hover();
      await question.getByRole('button', { name: 'Add reaction' }).click();
      await page.getByRole('menuitemcheckbox', { name: 'thumbs up' }).click();
      const atOther = other.page.locator('li.message[data-seq]', { hasText: 'Looking now' });
      await atOther.hover();
      await atOther.getByRole('button', { name: 'Add reaction' }).click();
      await other.page.getByRole('menuitemcheckbox', { name: 'party' }).click();
      await reply.getByRole('button', { name: /^party: 1 person$/ }).waitFor();
      await question.getByRole('button', { name: /^thumbs up: 1 person$/ }).waitFor();
      await reply.getByText('Seen by Omar Other').waitFor();
      await itemWithText(page, 'after lunch (edited)').waitFor();
      // The composer quoting a message, and one message's actions showing.
      await question.hover();
      await question.getByRole('button', { name: 'Reply' }).click();
      await page.locator('#composer-reply').waitFor();
      await question.hover();
      const withActions = await axeViolations(page);

      await question.getByRole('button', { name: 'Add reaction' }).click();
      await page.getByRole('menu', { name: 'Add a reaction' }).waitFor();
      const withPicker = await axeViolations(page);
      await page.keyboard.press('Escape');

      await mine.hover();
      await mine.getByRole('button', { name: 'Edit' }).click();
      await page.getByRole('textbox', { name: 'Edit message' }).waitFor();
      const withEditor = await axeViolations(page);
      await page.keyboard.press('Escape');

      await reply.hover();
      await reply.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog', { name: 'Delete this message?' }).waitFor();
      const withDialog = await axeViolations(page);
      await page.keyboard.press('Escape');

      expect({ withActions, withPicker, withEditor, withDialog }).toEqual({
        withActions: [],
        withPicker: [],
        withEditor: [],
        withDialog: [],
      });
    });

    it('on every avatar colour', async () => {
      const room = `axe-avatars-${colorScheme}`;
      // Authors whose ids give the eight avatar tones: the colour follows the id, and sign-in ids
      // are random, so without these a scan would only see the tones that chance picked.
      const authors = Array.from({ length: 8 }, (_, index) => ({
        id: `tone-${index}`,
        name: `Tone ${index}`,
      }));
      for (const author of authors) await server.post(room, `Hello from ${author.name}`, author);
      const scanned = await axeVisitor('Ava Avatar', DESKTOP, colorScheme);
      await signIn(scanned);
      await openRoom(scanned.page, room);
      await itemWithText(scanned.page, 'Hello from Tone 7').waitFor();

      const tones = await messageLog(scanned.page)
        .locator('.avatar')
        .evaluateAll((avatars) => avatars.map((avatar) => avatar.getAttribute('data-tone')));
      expect(new Set(tones)).toEqual(new Set(['0', '1', '2', '3', '4', '5', '6', '7']));
      expect(await axeViolations(scanned.page)).toEqual([]);
    });

    it('on the chat screen at phone width, with the drawer closed and open', async () => {
      const room = `axe-phone-${colorScheme}`;
      const scanned = await axeVisitor('Pat Phone', PHONE, colorScheme);
      await signIn(scanned);
      await openRoom(scanned.page, room);
      const other = await member('Quinn Other');
      await openRoom(other.page, room);
      await send(other.page, 'Hello from a desktop');
      await send(scanned.page, 'Hello from a phone');
      await itemWithText(scanned.page, 'Hello from a desktop').waitFor();
      await storedWithText(scanned.page, 'Hello from a phone').waitFor();

      const menu = scanned.page.getByRole('button', { name: 'Rooms and people' });
      const closed = await axeViolations(scanned.page);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      // Scanning a half-slid drawer would judge colours over the wrong background.
      await scanned.page
        .locator('#sidebar')
        .evaluate((sidebar) => Promise.all(sidebar.getAnimations().map((each) => each.finished)));
      const open = await axeViolations(scanned.page);

      expect({ closed, open }).toEqual({ closed: [], open: [] });
    });
  },
);

const signInWithKeyboard = async (page: Page, name: string): Promise<void> => {
  // The name box has autofocus: typing right away must go into it.
  await expect.poll(async () => (await focused(page))?.id).toBe('name');
  const nameBox = await focused(page);
  expect(nameBox?.indicator, 'the focused name box shows focus').not.toBeNull();
  await page.keyboard.type(name);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
  await page.getByPlaceholder('Message #general').waitFor();
};

describe('with the keyboard only', () => {
  it('signs in, sends messages with Enter and Shift+Enter, and joins a room', async () => {
    const { page } = await visitor('Kim Keys');
    await signInWithKeyboard(page, 'Kim Keys');

    const toComposer = await pressUntil(page, 'Tab', (element) => element.id === 'composer');
    expect(withoutIndicator(toComposer)).toEqual([]);

    await page.keyboard.type('Sent with Enter');
    await page.keyboard.press('Enter');
    await storedWithText(page, 'Sent with Enter').waitFor();
    expect((await focused(page))?.id, 'focus stays in the composer').toBe('composer');

    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    expect(await messageBox(page).inputValue()).toBe('first line\nsecond line');
    await page.keyboard.press('Enter');
    const twoLines = storedWithText(page, 'second line');
    await twoLines.waitFor();
    expect(await twoLines.locator('.message-text').textContent()).toBe('first line\nsecond line');

    const toJoinBox = await pressUntil(page, 'Shift+Tab', (element) => element.id === 'join-room');
    expect(withoutIndicator(toJoinBox)).toEqual([]);
    await page.keyboard.type('kbd-lounge');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'kbd-lounge' }).waitFor();
    const rooms = page.getByRole('navigation', { name: 'Rooms' });
    await expect
      .poll(() => rooms.getByRole('link', { name: 'kbd-lounge' }).getAttribute('aria-current'))
      .toBe('page');
    expect(await rooms.getByRole('link', { name: 'general' }).getAttribute('aria-current')).toBe(
      null,
    );
  });

  it('at phone width, opens and closes the drawer, which is out of the tab order while closed', async () => {
    const { page } = await visitor('Lee Phone', PHONE);
    await signInWithKeyboard(page, 'Lee Phone');
    const menu = page.getByRole('button', { name: 'Rooms and people' });

    // A whole round of the tab order, from the top of the page back to where it started.
    const round = await pressUntil(page, 'Tab', (element) => element.id === 'composer');
    round.push(...(await pressUntil(page, 'Tab', (element) => element.label === round[0]?.label)));
    expect(round.map((element) => element.label)).toContain('button "Rooms and people"');
    expect(round.filter((element) => element.inSidebar).map((element) => element.label)).toEqual(
      [],
    );
    expect(withoutIndicator(round)).toEqual([]);

    await pressUntil(page, 'Tab', (element) => element.label === 'button "Rooms and people"');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(async () => (await focused(page))?.inSidebar).toBe(true);
    const inDrawer = await focused(page);
    expect(inDrawer?.indicator, `${inDrawer?.label} shows focus`).not.toBeNull();

    // The rest of the page is inert behind the open drawer: a round of Tab stays inside it.
    const drawerRound = await pressUntil(
      page,
      'Tab',
      (element) => element.label === inDrawer?.label,
    );
    expect(
      drawerRound.filter((element) => !element.inSidebar).map((element) => element.label),
    ).toEqual([]);
    expect(withoutIndicator(drawerRound)).toEqual([]);

    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await expect
      .poll(async () => (await focused(page))?.label ?? 'nothing (the body)')
      .toBe('button "Rooms and people"');
  });
});

describe('ARIA', () => {
  it('names the name box, the message log, the rooms navigation and the composer', async () => {
    const someone = await visitor('Ari Aria');
    const { page } = someone;
    expect(await page.getByRole('textbox', { name: /Name/ }).count()).toBe(1);
    await signIn(someone);

    expect(await page.getByRole('log', { name: /#general/ }).count()).toBe(1);
    expect(await messageLog(page).count()).toBe(1);
    expect(
      await page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('listitem')
        .getByRole('link', { name: 'general' })
        .count(),
    ).toBe(1);
    expect(await page.getByRole('textbox', { name: /Message/ }).count()).toBe(1);
  });

  it('adds a sent message to the live message log once', async () => {
    const { page } = await member('Otto Once');
    await openRoom(page, 'aria-once');
    await page.evaluate(() => {
      const log = document.querySelector('[role="log"]');
      if (!log) throw new Error('no log');
      const added: string[] = [];
      new MutationObserver((mutations) => {
        for (const mutation of mutations) {
          for (const node of mutation.addedNodes) {
            if (node instanceof HTMLElement && node.matches('li.message')) {
              added.push(node.textContent ?? '');
            }
          }
        }
      }).observe(log, { childList: true, subtree: true });
      Object.assign(window, { addedToLog: added });
    });

    await send(page, 'Said only once');
    await storedWithText(page, 'Said only once').waitFor();
    await expect.poll(() => messageItems(page).count()).toBe(1);

    // The log is a live region: each item added to it is read out, so a message that enters it
    // as a pending item and again as the stored one is heard twice.
    const added = await page.evaluate(
      () => (window as unknown as { addedToLog: string[] }).addedToLog,
    );
    expect(added.filter((text) => text.includes('Said only once'))).toEqual([
      expect.stringContaining('Said only once'),
    ]);
  });

  it('announces the unread count of a room that is not open', async () => {
    const { page } = await member('Una Unread');
    await openRoom(page, 'aria-news');
    await openRoom(page, 'general');
    const news = page.getByRole('navigation', { name: 'Rooms' }).getByRole('link', {
      name: /aria-news/,
    });
    expect(await news.count()).toBe(1);
    expect(await news.textContent()).not.toContain('unread');

    await server.post('aria-news', 'Breaking news');
    await page.getByRole('link', { name: /aria-news\s*, 1 unread message$/ }).waitFor();
    expect(await news.locator('[aria-hidden="true"]', { hasText: /^1$/ }).count()).toBe(1);
  });
  it('names the message actions, the reaction picker and chips, and the delete dialog', async () => {
    const { page } = await member('Nia Names');
    await openRoom(page, 'aria-actions');
    await send(page, 'Named controls');
    const message = storedWithText(page, 'Named controls');
    await message.waitFor();

    const actions = message.getByRole('group', { name: 'Actions for the message from Nia Names' });
    expect(
      await actions
        .getByRole('button')
        .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label'))),
    ).toEqual(['Add reaction', 'Reply', 'Edit', 'Delete']);
    const trigger = actions.getByRole('button', { name: 'Add reaction' });
    expect(await trigger.getAttribute('aria-haspopup')).toBe('menu');
    expect(await trigger.getAttribute('aria-expanded')).toBe('false');

    await message.hover();
    await trigger.click();
    expect(await trigger.getAttribute('aria-expanded')).toBe('true');
    const menu = page.getByRole('menu', { name: 'Add a reaction' });
    expect(await menu.getAttribute('id')).toBe(await trigger.getAttribute('aria-controls'));
    const options = menu.getByRole('menuitemcheckbox');
    expect(await options.count()).toBeGreaterThanOrEqual(6);
    // One stop in the tab order; the arrow keys move between the emoji.
    const tabStops = await options.evaluateAll((items) => items.map((item) => item.tabIndex));
    expect(tabStops.filter((tabIndex) => tabIndex === 0)).toEqual([0]);
    await menu.getByRole('menuitemcheckbox', { name: 'thumbs up', checked: false }).click();

    const reactions = message.getByRole('group', { name: 'Reactions' });
    await reactions.getByRole('button', { name: 'thumbs up: 1 person', pressed: true }).waitFor();
    await message.hover();
    await trigger.click();
    await menu.getByRole('menuitemcheckbox', { name: 'thumbs up', checked: true }).waitFor();
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    await message.hover();
    await actions.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this message?' });
    await dialog.waitFor();
    expect(await dialog.evaluate((element) => element.matches(':modal'))).toBe(true);
    const description = await dialog.evaluate(
      (element) =>
        document.getElementById(element.getAttribute('aria-describedby') ?? '')?.textContent,
    );
    expect(description).toContain('Named controls');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The composer says what a reply answers.
    await message.hover();
    await actions.getByRole('button', { name: 'Reply' }).click();
    expect(await messageBox(page).getAttribute('aria-describedby')).toContain('composer-reply');
    expect(await page.locator('#composer-reply').textContent()).toBe(
      'Replying to Nia Names: Named controls',
    );
  });
});

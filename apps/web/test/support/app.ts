import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import { collectPageErrors } from '../../../../packages/client/test/support/browser.js';
import type { ServerProcess } from '../../../../packages/client/test/support/server-process.js';

export { launchChromium } from '../../../../packages/client/test/support/browser.js';
export { ServerProcess } from '../../../../packages/client/test/support/server-process.js';

const WEB_DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The server serves the built app; a missing build would look like a broken app. */
export const assertWebAppBuilt = (): void => {
  if (!fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(
      `The web app is not built (${WEB_DIST}); run \`pnpm --filter @chatter/web build\` (pnpm test does)`,
    );
  }
};

/** Chromium's own lines about requests that failed while a test had the server down. */
export const isNetworkFailure = (text: string): boolean =>
  /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_FAILED|WebSocket connection to .* failed|Failed to load resource/.test(
    text,
  );

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Uncaught errors, and console errors that are not expected network failures. */
  errors: string[];
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** Accept console lines about failed requests (for tests that stop the server). */
  allowNetworkErrors?: boolean;
  /** Runs on the new context before the page loads (routes that must see the first request). */
  prepare?: (context: BrowserContext) => Promise<void>;
}

/**
 * The people a test file opens. After each test their browser contexts are closed, and every
 * page must have seen no uncaught error and no unexpected console error.
 */
export const checkedPeople = (): Person[] => {
  const people: Person[] = [];
  afterEach(async () => {
    const seen = people.splice(0);
    await Promise.all(seen.map((someone) => someone.context.close().catch(() => undefined)));
    for (const someone of seen) expect(someone.errors, someone.name).toEqual([]);
  });
  return people;
};

/** A new browser context (its own storage, so its own person) on the app's sign-in page. */
export const openApp = async (
  browser: Browser,
  server: ServerProcess,
  name: string,
  options: OpenOptions = {},
): Promise<Person> => {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP });
  await options.prepare?.(context);
  const page = await context.newPage();
  const errors = collectPageErrors(page, (text) =>
    options.allowNetworkErrors ? isNetworkFailure(text) : false,
  );
  await page.goto(server.url);
  return { name, context, page, errors };
};

/** Signs in through the name box and waits for #general. */
export const signIn = async (person: Person): Promise<void> => {
  await person.page.getByRole('textbox', { name: 'Name' }).fill(person.name);
  await person.page.getByRole('textbox', { name: 'Name' }).press('Enter');
  await person.page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
  await waitUntilJoined(person.page);
};

/** The message box is enabled once the open room has joined (and so the socket connected). */
export const waitUntilJoined = async (page: Page): Promise<void> => {
  await page.locator('#composer:enabled').waitFor();
};

/** Opens the app as a new person and signs in. */
export const join = async (
  browser: Browser,
  server: ServerProcess,
  name: string,
  options: OpenOptions = {},
): Promise<Person> => {
  const person = await openApp(browser, server, name, options);
  await signIn(person);
  return person;
};

/**
 * A new browser (its own storage) signed in as `user`, with a token minted the way an app's
 * backend would mint it: two of these with one user are one person on two devices.
 */
export const openAs = async (
  browser: Browser,
  server: ServerProcess,
  user: { id: string; name: string },
  options: OpenOptions = {},
): Promise<Person> => {
  const token = await server.token(user);
  const session = { token, user, expiresAt: new Date(Date.now() + 3_600_000).toISOString() };
  const person = await openApp(browser, server, user.name, {
    ...options,
    prepare: async (context) => {
      // Before the app's script runs, on the first load only: a reload keeps the tab's session.
      await context.addInitScript((value) => {
        if (sessionStorage.getItem('chatter.session') === null) {
          sessionStorage.setItem('chatter.session', value);
        }
      }, JSON.stringify(session));
      await options.prepare?.(context);
    },
  });
  await waitUntilJoined(person.page);
  return person;
};

export const messageBox = (page: Page): Locator => page.getByRole('textbox', { name: 'Message' });

export const messageLog = (page: Page): Locator => page.getByRole('log');

/** The list items of stored and pending messages, oldest first. */
export const messageItems = (page: Page): Locator => messageLog(page).locator('li.message');

export const send = async (page: Page, text: string): Promise<void> => {
  await messageBox(page).fill(text);
  await messageBox(page).press('Enter');
};

export const peopleList = (page: Page): Locator =>
  page.getByRole('region', { name: /People/ }).getByRole('listitem');

/** Saved under apps/web/test-results/screenshots, kept by CI as artifacts. */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
};

import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from '../../../packages/react/test/support/server-process.js';

/**
 * The example as its users get it: built by Vite with VITE_CHATTER_URL pointing at a real
 * server process, served as static files from another origin (which the server allows with
 * CORS_ORIGINS, as it must for any app on another origin), and used by two people in Chromium.
 */
const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'react-chat-build-'));

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

/** The built files, and index.html for any other path (as a static host serves an SPA). */
const site = http.createServer((request, response) => {
  const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
  const file = path.join(outDir, path.normalize(pathname));
  const found = file.startsWith(outDir) && fs.existsSync(file) && fs.statSync(file).isFile();
  const served = found ? file : path.join(outDir, 'index.html');
  response.writeHead(200, {
    'content-type': `${TYPES[path.extname(served)] ?? 'application/octet-stream'}; charset=utf-8`,
  });
  fs.createReadStream(served).pipe(response);
});

let server: ServerProcess;
let browser: Browser;
let origin = '';

beforeAll(async () => {
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  origin = `http://127.0.0.1:${(site.address() as net.AddressInfo).port}`;
  server = new ServerProcess({ env: { CORS_ORIGINS: origin } });
  await server.start();
  const vite = path.join(
    path.dirname(
      createRequire(path.join(EXAMPLE_DIR, 'package.json')).resolve('vite/package.json'),
    ),
    'bin/vite.js',
  );
  execFileSync(process.execPath, [vite, 'build', '--outDir', outDir, '--emptyOutDir'], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, VITE_CHATTER_URL: server.url },
    stdio: 'pipe',
  });
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}; install it (apt-get install -y chromium)`,
    );
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  site.closeAllConnections();
  site.close();
  fs.rmSync(outDir, { recursive: true, force: true });
});

/** A person in a browser of their own, signed in as a guest; what went wrong is collected. */
const signIn = async (name: string) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  await page.goto(origin);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join as guest' }).click();
  await composer(page).waitFor();
  return { page, problems };
};

const composer = (page: Page) =>
  page
    .getByRole('main', { name: 'Room general' })
    .getByRole('textbox', { name: 'Message', exact: true });
const messages = (page: Page) => page.getByRole('list', { name: 'Messages' });

describe('examples/react-chat', () => {
  it('lets two people chat, react, reply, edit, delete, see typing, presence and unread counts', async () => {
    const ada = await signIn('Ada');
    const bob = await signIn('Bob');
    await expectVisible(ada.page.getByRole('complementary', { name: 'People' }).getByText('Bob'));

    await composer(ada.page).fill('hello from Ada');
    await composer(ada.page).press('Enter');
    await expectVisible(messages(bob.page).getByText('hello from Ada'));

    await composer(bob.page).fill('typing…');
    await expectVisible(ada.page.getByText('Bob is typing…'));

    await messages(bob.page).getByRole('button', { name: 'React 👍' }).click();
    await expectVisible(
      messages(ada.page).getByRole('button', { name: 'React 👍' }).getByText('👍 1'),
    );

    await composer(bob.page).press('Enter');
    await expectVisible(messages(ada.page).getByText('typing…'));

    // Ada answers Bob, then edits and deletes her first message: Bob sees each change.
    const bobsMessage = messages(ada.page).getByRole('listitem').filter({ hasText: 'typing…' });
    await bobsMessage.getByRole('button', { name: 'Reply' }).click();
    await composer(ada.page).fill('an answer');
    await composer(ada.page).press('Enter');
    await expectVisible(messages(bob.page).locator('blockquote').getByText('typing…'));
    const first = messages(ada.page).getByRole('listitem').filter({ hasText: 'hello from Ada' });
    await first.getByRole('button', { name: 'Edit' }).click();
    await ada.page.getByLabel('Edit message').fill('hello from Ada, edited');
    await ada.page.getByLabel('Edit message').press('Enter');
    await expectVisible(messages(bob.page).getByText('(edited)'));
    await messages(ada.page)
      .getByRole('listitem')
      .filter({ hasText: 'hello from Ada, edited' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await expectVisible(messages(bob.page).getByText('This message was deleted'));

    // Both open another room; Ada goes back to general, and Bob's message there shows as unread.
    for (const person of [ada, bob]) {
      await person.page.getByLabel('Room to open').fill('side');
      await person.page.getByLabel('Room to open').press('Enter');
      await person.page.getByRole('main', { name: 'Room side' }).waitFor();
    }
    await ada.page.getByRole('navigation', { name: 'Rooms' }).getByText('# general').click();
    await bob.page
      .getByRole('main', { name: 'Room side' })
      .getByRole('textbox', { name: 'Message', exact: true })
      .fill('psst');
    await bob.page
      .getByRole('main', { name: 'Room side' })
      .getByRole('textbox', { name: 'Message', exact: true })
      .press('Enter');
    await expectVisible(
      ada.page
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('button', { name: /# side\s*1 unread/ }),
    );

    expect(ada.problems).toEqual([]);
    expect(bob.problems).toEqual([]);
  });
});

const expectVisible = (locator: ReturnType<Page['getByText']>) =>
  locator.waitFor({ state: 'visible', timeout: 15_000 });

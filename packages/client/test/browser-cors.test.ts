import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Sdk from '../src/index.js';
import { bundleSdk, launchChromium, PageServer } from './support/browser.js';
import { ServerProcess } from './support/server-process.js';

declare global {
  interface Window {
    Chatter: typeof Sdk;
  }
}

// What the README's "Apps on another origin (CORS)" says, in a real browser: a page on one origin,
// the server on another, with and without the page's origin in CORS_ORIGINS.

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let shared: Promise<{ browser: Browser; pages: PageServer }> | undefined;
const browserAndPages = () => {
  shared ??= (async () => {
    const pages = new PageServer(await bundleSdk());
    await pages.listen();
    cleanups.push(() => pages.close());
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    return { browser, pages };
  })();
  return shared;
};

const startServer = async (env: Record<string, string>) => {
  const server = new ServerProcess({ env });
  cleanups.push(() => server.dispose());
  await server.start();
  return server;
};

const openPage = async (): Promise<{ page: Page; origin: string }> => {
  const { browser, pages } = await browserAndPages();
  const page = await browser.newPage();
  cleanups.push(() => page.close());
  await page.goto(pages.origin);
  return { page, origin: pages.origin };
};

type Outcome = { ok: true; value?: unknown } | { ok: false; code: string; message: string };

/** Runs the SDK call named by `step` in the page and reports how it ended. */
const inPage = (
  page: Page,
  step: 'session' | 'status' | 'connect',
  args: { url: string; token?: string; transport?: 'websocket' | 'polling' },
): Promise<Outcome> =>
  page.evaluate(
    async ({ step, url, token, transport }) => {
      const { Chatter } = window;
      const outcome = async (run: () => Promise<unknown>) => {
        try {
          return { ok: true as const, value: await run() };
        } catch (error) {
          const { code = 'none', message = String(error) } = error as Sdk.ChatterError;
          return { ok: false as const, code, message };
        }
      };
      if (step === 'session') {
        return outcome(async () => (await Chatter.createGuestSession(url, 'Ada')).user.name);
      }
      const chat = Chatter.createChatterClient({
        url,
        token: token ?? '',
        transports: [transport ?? 'websocket'],
      });
      try {
        if (step === 'status') {
          return await outcome(async () => (await chat.status()).length >= 0);
        }
        // Socket.IO keeps retrying a handshake the browser blocks; 5 s is plenty on loopback.
        const timer = new Promise((_, reject) =>
          setTimeout(() => reject(new Error('still not connected after 5 s')), 5000),
        );
        return await outcome(() => Promise.race([chat.connect(), timer]));
      } finally {
        chat.close();
      }
    },
    { step, ...args },
  );

describe('a page on another origin', () => {
  it('gets NETWORK from every REST call while its origin is not in CORS_ORIGINS', async () => {
    const server = await startServer({});
    const { page } = await openPage();
    const token = await server.token({ id: 'cors-ada', name: 'Ada' });

    const session = await inPage(page, 'session', { url: server.url });
    expect(session).toEqual({
      ok: false,
      code: 'NETWORK',
      message: `Could not reach ${server.url}`,
    });
    expect(await inPage(page, 'status', { url: server.url, token })).toMatchObject({
      ok: false,
      code: 'NETWORK',
    });
    // Browsers apply no CORS to WebSockets: the socket itself connects, long-polling does not.
    expect(await inPage(page, 'connect', { url: server.url, token })).toMatchObject({ ok: true });
    expect(
      await inPage(page, 'connect', { url: server.url, token, transport: 'polling' }),
    ).toMatchObject({ ok: false });
  });

  it('works once CORS_ORIGINS lists its origin, written with a trailing slash', async () => {
    const { page, origin } = await openPage();
    const server = await startServer({ CORS_ORIGINS: `${origin}/` });
    const token = await server.token({ id: 'cors-ada', name: 'Ada' });

    expect(await inPage(page, 'session', { url: server.url })).toEqual({ ok: true, value: 'Ada' });
    expect(await inPage(page, 'status', { url: server.url, token })).toEqual({
      ok: true,
      value: true,
    });
    expect(
      await inPage(page, 'connect', { url: server.url, token, transport: 'polling' }),
    ).toMatchObject({ ok: true });
  });
});

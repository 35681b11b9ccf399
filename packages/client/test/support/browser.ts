import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium: browser downloads are blocked in CI, so Playwright drives the system one. */
/** Debian's Chromium; elsewhere (GitHub's Ubuntu runners ship Google Chrome) set CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const SDK_ENTRY = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/**
 * Throws when Chromium is missing instead of skipping: a browser test that silently skips
 * would let a broken persistent outbox through.
 */
export const launchChromium = async (): Promise<Browser> => {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}; install it with \`apt-get install -y chromium\` (CI installs it)`,
    );
  }
  return chromium.launch({
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
};

/** The SDK from its sources, as one script that defines `window.Chatter`, like an app bundle. */
export const bundleSdk = async (): Promise<string> => {
  const result = await build({
    entryPoints: [SDK_ENTRY],
    bundle: true,
    format: 'iife',
    globalName: 'Chatter',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error('esbuild produced no bundle');
  return output.text;
};

// The empty icon keeps Chromium from requesting /favicon.ico and logging its 404 as an error.
const PAGE = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8">
    <link rel="icon" href="data:,">
    <title>Chatter outbox</title>
    <script src="/chatter.js"></script>
  </head>
  <body></body>
</html>`;

/**
 * Serves a blank page that loads the SDK bundle. Its origin stays the same for the whole run,
 * so localStorage and IndexedDB written by one page load are there for the next.
 */
export class PageServer {
  readonly #http: http.Server;

  constructor(bundle: string) {
    this.#http = http.createServer((request, response) => {
      const body = request.url === '/' ? PAGE : request.url === '/chatter.js' ? bundle : undefined;
      if (body === undefined) {
        response.writeHead(404).end();
        return;
      }
      const type = request.url === '/' ? 'text/html' : 'text/javascript';
      response
        .writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' })
        .end(body);
    });
  }

  get origin(): string {
    const { port } = this.#http.address() as net.AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async listen(): Promise<void> {
    this.#http.listen(0, '127.0.0.1');
    await once(this.#http, 'listening');
  }

  async close(): Promise<void> {
    this.#http.closeAllConnections();
    await new Promise((resolve) => this.#http.close(resolve));
  }
}

/**
 * Collects what the page reports as going wrong: uncaught errors and rejections always, and
 * console errors unless `allowed` accepts them. Listens across reloads of the page.
 */
export const collectPageErrors = (page: Page, allowed: (text: string) => boolean): string[] => {
  const unexpected: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !allowed(message.text())) {
      unexpected.push(`console error: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => unexpected.push(`page error: ${error.stack ?? error.message}`));
  return unexpected;
};

import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession, request, startTestServer, tempDataDir } from './helpers.js';

const INDEX_HTML =
  '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body></body></html>';
const SECRET = 'outside-the-web-dir';

/** A built web app in `<root>/web`, with a file beside it that must never be reachable. */
const builtWebApp = (): string => {
  const root = tempDataDir();
  const webDir = path.join(root, 'web');
  mkdirSync(path.join(webDir, 'assets'), { recursive: true });
  writeFileSync(path.join(webDir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(webDir, 'assets', 'index-abc123.js'), 'console.log("chatter");\n');
  writeFileSync(path.join(webDir, 'assets', 'index-abc123.css'), 'body { margin: 0; }\n');
  writeFileSync(path.join(webDir, '.secret'), SECRET);
  mkdirSync(path.join(webDir, '.git'));
  writeFileSync(path.join(webDir, '.git', 'config'), SECRET);
  writeFileSync(path.join(root, 'package.json'), SECRET);
  writeFileSync(path.join(root, 'index.html'), SECRET);
  return webDir;
};

const startWithWebDir = (webDir: string) => startTestServer({ env: { CHATTER_WEB_DIR: webDir } });

/** GET with the path sent byte for byte: fetch would normalise `..` and some escapes away. */
const rawGet = (url: string, rawPath: string) =>
  new Promise<{ status: number; body: string; contentType: string | undefined }>(
    (resolve, reject) => {
      const { hostname, port } = new URL(url);
      http
        .get({ hostname, port, path: rawPath }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              contentType: res.headers['content-type'],
            }),
          );
        })
        .on('error', reject);
    },
  );

const expectJsonNotFound = (result: { status: number; body: unknown }, pathname: string) => {
  expect(result.status).toBe(404);
  expect(result.body).toEqual({
    error: { code: 'NOT_FOUND', message: expect.stringContaining(pathname) },
  });
};

describe('the built web app', () => {
  it('GET / is index.html, revalidated on every load', async () => {
    const { url } = await startWithWebDir(builtWebApp());
    const response = await fetch(`${url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(INDEX_HTML);
  });

  it('sends a strict Content-Security-Policy that allows plain http', async () => {
    const { url } = await startWithWebDir(builtWebApp());
    const response = await fetch(`${url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]) {
      expect(csp).toContain(directive);
    }
    for (const loosening of ['unsafe-inline', 'unsafe-eval', 'upgrade-insecure-requests']) {
      expect(csp).not.toContain(loosening);
    }
    // The other helmet headers are still there.
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the content-hashed assets as immutable, with their content types', async () => {
    const { url } = await startWithWebDir(builtWebApp());
    for (const [file, contentType] of [
      ['index-abc123.js', /^text\/javascript/],
      ['index-abc123.css', /^text\/css/],
    ] as const) {
      const response = await fetch(`${url}/assets/${file}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(contentType);
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('leaves the API, /healthz and everything else to their JSON answers', async () => {
    const { url } = await startWithWebDir(builtWebApp());
    expect(await request(url, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const { token } = await createSession(url);
    expect((await request(url, '/api/session', { token })).status).toBe(200);
    expectJsonNotFound(await request(url, '/api/nope', { token }), '/api/nope');
    expectJsonNotFound(await request(url, '/', { method: 'POST', body: {} }), 'POST /');
    expectJsonNotFound(await request(url, '/nope'), '/nope');
    expectJsonNotFound(await request(url, '/assets/missing.js'), '/assets/missing.js');
  });

  it.each([
    '/..%2fpackage.json',
    '/..%2f..%2fpackage.json',
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2e%2e%2fpackage.json',
    '/assets/..%2f..%2findex.html',
    '/assets/../../index.html',
  ])('does not serve %s from outside the web app', async (rawPath) => {
    const { url } = await startWithWebDir(builtWebApp());
    const response = await rawGet(url, rawPath);
    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.body).not.toContain(SECRET);
  });

  it.each(['/.secret', '/.git/config', '/%2esecret'])(
    'does not serve the dotfile %s',
    async (rawPath) => {
      const { url } = await startWithWebDir(builtWebApp());
      const response = await rawGet(url, rawPath);
      expect(response.status).toBe(404);
      expect(response.body).not.toContain(SECRET);
    },
  );

  it('without an index.html, serves the API only', async () => {
    const webDir = tempDataDir();
    writeFileSync(path.join(webDir, 'favicon.svg'), '<svg/>');
    const { url } = await startWithWebDir(webDir);
    expectJsonNotFound(await request(url, '/'), 'GET /');
    expectJsonNotFound(await request(url, '/favicon.svg'), '/favicon.svg');
    expect((await request(url, '/healthz')).status).toBe(200);
  });
});

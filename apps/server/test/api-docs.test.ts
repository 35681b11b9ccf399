import http from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { createSession, request, startTestServer } from './helpers.js';
import { expressRoutes } from './support/express-routes.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation of an OpenAPI document as `METHOD /path`, with Express's `:name` parameters. */
const documentedRoutes = (document: any): string[] =>
  Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => METHODS.includes(key))
        .map((method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    )
    .sort();

const statusOf = (url: string, headers: Record<string, string>): Promise<number> =>
  new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });

const fetchDocument = async (url: string, name: string) => {
  const response = await fetch(`${url}/api/${name}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { response, document: (await response.json()) as any };
};

/** Ajv over the whole document, so `#/components/...` references resolve inside it. */
const schemaValidator = (document: any) => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ ...document, $id: 'https://chatter.invalid/openapi.json' });
  return (pointer: string) => {
    const validate = ajv.getSchema(`https://chatter.invalid/openapi.json#${pointer}`);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    return validate;
  };
};

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a token and cacheable', async () => {
    const { url } = await startTestServer();
    const { response, document } = await fetchDocument(url, 'openapi.json');
    expect(document.openapi).toBe('3.1.0');

    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator resolves references but does not check schemas against their dialect.
    const metaSchema = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      expect(metaSchema.validateSchema(schema as object), name).toBe(true);
    }

    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const etag = response.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    // node:http, not fetch: fetch adds `Cache-Control: no-cache` to a conditional request, which
    // asks for the whole body again, as a browser's own revalidation does not.
    expect(await statusOf(`${url}/api/openapi.json`, { 'if-none-match': etag as string })).toBe(
      304,
    );
    expect(await statusOf(`${url}/api/openapi.json`, { 'if-none-match': '"other"' })).toBe(200);
  });

  it('lists every route the Express app answers, and nothing else', async () => {
    const { url, server } = await startTestServer();
    const { document } = await fetchDocument(url, 'openapi.json');
    const routes = expressRoutes(server.app);
    expect(routes).toContain('POST /api/messages');
    expect(routes).toContain('GET /metrics');
    expect(documentedRoutes(document)).toEqual(routes);
  });

  it('says which routes need a token, and every error status they answer in the shared shape', async () => {
    const { url } = await startTestServer();
    const { document } = await fetchDocument(url, 'openapi.json');
    const post = document.paths['/api/messages'].post;
    expect(post.security).toBeUndefined(); // the document's default: the bearer token
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(Object.keys(post.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '404', '413', '429', '500', '503']),
    );
    expect(document.paths['/api/session'].post.security).toEqual([]);
    expect(document.paths['/api/session'].post.responses['401']).toBeUndefined();
    expect(document.paths['/api/openapi.json'].get.security).toEqual([]);

    // A real refusal matches the documented 401 body.
    const refused = await request(url, '/api/messages', { body: { room: 'general', text: 'hi' } });
    expect(refused.status).toBe(401);
    const schemaAt = schemaValidator(document);
    const unauthorized = schemaAt(
      '/components/responses/UNAUTHORIZED/content/application~1json/schema',
    );
    expect(unauthorized(refused.body), JSON.stringify(unauthorized.errors)).toBe(true);
    expect(unauthorized({ error: { code: 'NOT_FOUND', message: 'x' } })).toBe(false);
  });

  it("documents POST /api/messages's body as the server validates it", async () => {
    const { url } = await startTestServer();
    const { token } = await createSession(url);
    const { document } = await fetchDocument(url, 'openapi.json');
    const schemaAt = schemaValidator(document);
    const post = '/paths/~1api~1messages/post';
    const body = schemaAt(`${post}/requestBody/content/application~1json/schema`);
    const created = schemaAt(`${post}/responses/201/content/application~1json/schema`);
    const invalid = schemaAt('/components/responses/VALIDATION/content/application~1json/schema');

    const good = [
      { room: 'general', text: 'hello' },
      { room: 'general', text: 'again', clientId: 'c-1' },
    ];
    for (const sample of good) {
      expect(body(sample), JSON.stringify(body.errors)).toBe(true);
      const answer = await request(url, '/api/messages', { token, body: sample });
      expect(answer.status).toBe(201);
      expect(created(answer.body), JSON.stringify(created.errors)).toBe(true);
    }

    const bad = [
      { room: 'general', text: 'hello', extra: true },
      { room: 'Not A Room', text: 'hello' },
      { room: 'general', text: '' },
      { room: 'general' },
      { room: 'general', text: 'hello', clientId: 'has spaces' },
    ];
    for (const sample of bad) {
      expect(body(sample), JSON.stringify(sample)).toBe(false);
      const answer = await request(url, '/api/messages', { token, body: sample });
      expect(answer.status).toBe(400);
      expect(invalid(answer.body), JSON.stringify(invalid.errors)).toBe(true);
    }
  });
});

describe('routes that do not exist', () => {
  it('answer 404 NOT_FOUND under /api with or without a token; known routes still want one', async () => {
    const { url } = await startTestServer();
    const { token } = await createSession(url);
    for (const auth of [{}, { token }, { token: 'not-a-jwt' }]) {
      const unknown = await request(url, '/api/nope', auth);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({
        error: { code: 'NOT_FOUND', message: 'No route for GET /api/nope' },
      });
      const deeper = await request(url, '/api/messages/abc/nope', { ...auth, method: 'POST' });
      expect(deeper.status).toBe(404);
      expect(deeper.body.error.code).toBe('NOT_FOUND');
    }

    const noToken = await request(url, '/api/messages?room=general');
    expect(noToken.status).toBe(401);
    expect(noToken.body.error.code).toBe('UNAUTHORIZED');
    const withToken = await request(url, '/api/messages?room=general', { token });
    expect(withToken.status).toBe(200);
  });

  it('answer a wrong method on a known path with 404 NOT_FOUND, token or not', async () => {
    const { url } = await startTestServer();
    const { token } = await createSession(url);
    for (const auth of [{}, { token }]) {
      const wrong = await request(url, '/api/session', { ...auth, method: 'DELETE' });
      expect(wrong.status).toBe(404);
      expect(wrong.body).toEqual({
        error: { code: 'NOT_FOUND', message: 'No route for DELETE /api/session' },
      });
      const put = await request(url, '/api/openapi.json', { ...auth, method: 'PUT', body: {} });
      expect(put.status).toBe(404);
      expect(put.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('outside /api still answer the JSON 404', async () => {
    const { url } = await startTestServer();
    const outside = await request(url, '/nope');
    expect(outside.status).toBe(404);
    expect(outside.body).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /nope' },
    });
  });
});

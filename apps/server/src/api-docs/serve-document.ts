import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { buildAsyncApiDocument } from './asyncapi-document.js';
import { buildOpenApiDocument } from './openapi-document.js';

/**
 * Serves a generated JSON document: built on the first request (not at start, which every test
 * server would pay for), then the same bytes with an ETag, so a viewer revalidates for free.
 * Any origin may read it: the document is public, and online viewers fetch it cross-origin.
 *
 * @example
 * router.get('/openapi.json', serveDocument(buildOpenApiDocument));
 */
export const serveDocument = (build: () => unknown): RequestHandler => {
  let built: { body: string; etag: string } | undefined;
  return (req, res) => {
    if (!built) {
      const body = JSON.stringify(build());
      const hash = createHash('sha256').update(body).digest('base64url');
      built = { body, etag: `"${hash}"` };
    }
    res.set({
      'Cache-Control': 'public, max-age=300',
      ETag: built.etag,
      'Access-Control-Allow-Origin': '*',
    });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(built.body);
  };
};

// One of each per process: every app of the process serves the same documents.
const openApi = serveDocument(buildOpenApiDocument);
const asyncApi = serveDocument(buildAsyncApiDocument);

/**
 * The handlers of `GET /api/openapi.json` and `GET /api/asyncapi.json`.
 *
 * @example
 * const documents = serveDocuments();
 * router.get('/openapi.json', documents.openApi);
 */
export const serveDocuments = (): { openApi: RequestHandler; asyncApi: RequestHandler } => ({
  openApi,
  asyncApi,
});

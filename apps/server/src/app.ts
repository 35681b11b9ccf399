import { existsSync } from 'node:fs';
import path from 'node:path';
import { type HealthResponse, LIMITS, type ReadyResponse } from '@chatter/protocol';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { errorHandler, notFound } from './middleware/errors.js';
import { type ApiDeps, createApiRouter } from './routes/api-router.js';
import type { Metrics } from './services/metrics.js';
import { createReadinessCheck, type RedisLinkState } from './services/readiness.js';
import type { TrustProxy } from './utils/client-address.js';
import type { Logger } from './utils/logger.js';
import { redactUrl } from './utils/redact-url.js';

export interface AppDeps extends ApiDeps {
  logger: Logger;
  /** Which proxies' `X-Forwarded-For` names the client (`req.ip`). */
  trustProxy: TrustProxy;
  corsOrigins: readonly string[];
  isShuttingDown: () => boolean;
  /** The built web app to serve at `/`; without an `index.html` in it, only the API is served. */
  webDir: string | undefined;
  /** The cluster's Redis link, which `/readyz` reports on; undefined for a single node. */
  redis?: RedisLinkState | undefined;
  /** Served at `GET /metrics` for Prometheus; without it there is no such route. */
  metrics?: Metrics | undefined;
}

// Only these: helmet's defaults would add `style-src 'unsafe-inline' https:`, among others.
const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  manifestSrc: ["'self'"],
  workerSrc: ["'self'"],
  // No upgrade-insecure-requests: people open http://localhost:3000 or a LAN address, and the
  // browser would rewrite the app's own asset and socket URLs to https, so the page would not load.
};

// Probes and scrapes come every few seconds and would bury the request lines worth reading.
const UNLOGGED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Vite content-hashes everything under `assets/`, so those never change; the rest revalidates. */
const serveWebApp = (webDir: string) =>
  express.static(webDir, {
    dotfiles: 'ignore',
    // `/assets` would 301 to `/assets/`, which has no index: answer the JSON 404 straight away.
    redirect: false,
    cacheControl: false,
    setHeaders: (res, filePath) => {
      const underAssets = path.relative(webDir, filePath).startsWith(`assets${path.sep}`);
      res.setHeader(
        'Cache-Control',
        underAssets ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });

/** Builds the Express app. It never listens; `server.ts` does. */
export const createApp = (deps: AppDeps): Express => {
  const { logger, store, corsOrigins, isShuttingDown, webDir, metrics } = deps;
  const app = express();
  app.disable('x-powered-by');
  // API answers are never revalidated with If-None-Match; hashing every body for an ETag is waste.
  app.set('etag', false);
  // `?room[$ne]=x` stays the literal key "room[$ne]" (and so an unknown field), never an object.
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy);

  // A request log line is written at `info`; below that level pino-http would still build a
  // child logger and serializers for every request only to write nothing.
  if (logger.isLevelEnabled('info')) {
    app.use(
      pinoHttp({
        logger,
        autoLogging: { ignore: (req) => UNLOGGED_PATHS.has(req.url ?? '') },
        // One short line per request; headers would repeat the same dozen values every time.
        serializers: {
          req: (req: { id: unknown; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            // Clients put tokens in query strings even though Chatter never asks for them there.
            url: redactUrl(req.url),
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      }),
    );
  }
  app.use(
    helmet({ contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY } }),
  );
  if (corsOrigins.length > 0) app.use(cors({ origin: [...corsOrigins] }));

  // Liveness: the process answers. Nothing outside it is asked, so a store outage makes the
  // server unready (below), never "dead" and restarted in a loop.
  app.get('/healthz', (_req, res) => {
    const status = isShuttingDown() ? 'unavailable' : 'ok';
    res
      .status(status === 'ok' ? 200 : 503)
      .json({ status, uptime: process.uptime() } satisfies HealthResponse);
  });

  // Readiness: whether to send this server traffic.
  const notReady = createReadinessCheck({
    store,
    auth: deps.auth,
    isShuttingDown,
    logger,
    redis: deps.redis,
  });
  app.get('/readyz', async (_req, res) => {
    const error = await notReady();
    if (error) res.status(error.status).json({ error: error.toPayload() });
    else res.json({ ok: true } satisfies ReadyResponse);
  });

  // No authentication, like the probes above: operators keep it from the public at the load
  // balancer, and Prometheus scrapes nodes directly, behind it.
  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics.render();
      res.setHeader('Content-Type', contentType);
      res.send(body);
    });
  }

  app.use(
    '/api',
    express.json({ limit: LIMITS.maxPayloadBytes, strict: true }),
    createApiRouter(deps),
  );
  if (webDir !== undefined) {
    if (existsSync(path.join(webDir, 'index.html'))) {
      app.use(serveWebApp(webDir));
    } else {
      logger.info(
        { webDir },
        `web app not built (no ${path.join(webDir, 'index.html')}); serving the API only; run \`pnpm build\` or \`pnpm start\``,
      );
    }
  }
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
};

import { type HealthResponse, LIMITS } from '@chatter/protocol';
import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { errorHandler, notFound } from './middleware/errors.js';
import { type ApiDeps, createApiRouter } from './routes/api-router.js';
import type { Logger } from './utils/logger.js';

export interface AppDeps extends ApiDeps {
  logger: Logger;
  corsOrigins: readonly string[];
  isShuttingDown: () => boolean;
}

/** Builds the Express app. It never listens; `server.ts` does. */
export const createApp = (deps: AppDeps): Express => {
  const { logger, store, corsOrigins, isShuttingDown } = deps;
  const app = express();
  app.disable('x-powered-by');
  // `?room[$ne]=x` stays the literal key "room[$ne]" (and so an unknown field), never an object.
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger,
      autoLogging: { ignore: (req) => req.url === '/healthz' },
      // One short line per request; headers would repeat the same dozen values every time.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(helmet());
  if (corsOrigins.length > 0) app.use(cors({ origin: [...corsOrigins] }));

  app.get('/healthz', async (_req, res) => {
    const uptime = process.uptime();
    const unavailable = (status: number) =>
      res.status(status).json({ status: 'unavailable', uptime } satisfies HealthResponse);
    if (isShuttingDown()) return unavailable(503);
    try {
      await store.ping();
    } catch (error) {
      logger.error({ err: error }, 'health check: store is not reachable');
      return unavailable(503);
    }
    return res.json({ status: 'ok', uptime } satisfies HealthResponse);
  });

  app.use(
    '/api',
    express.json({ limit: LIMITS.maxPayloadBytes, strict: true }),
    createApiRouter(deps),
  );
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
};

import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, asAppError, toErrorPayload } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';

interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * body-parser reports its failures with a `type`; give each its place in the error shape. The
 * rest that carry a 4xx `status` are the client's fault too: a gzip, deflate or br body that
 * does not decompress (zlib's errors have no `type`), a body shorter than its Content-Length.
 */
const fromBodyParser = (error: BodyParserError): AppError | undefined => {
  switch (error.type) {
    case 'entity.too.large':
      return new AppError('PAYLOAD_TOO_LARGE', `Request body is larger than ${error.limit} bytes`);
    case 'entity.parse.failed':
      return new AppError('VALIDATION', 'Request body is not valid JSON (it must be an object)');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('VALIDATION', error.message);
    default:
      return error.status !== undefined && error.status >= 400 && error.status < 500
        ? new AppError('VALIDATION', `Request body cannot be read: ${error.message}`)
        : undefined;
  }
};

export const notFound: RequestHandler = (req) => {
  // `baseUrl`: under a router (the API's), `path` is what follows its mount point.
  throw new AppError('NOT_FOUND', `No route for ${req.method} ${req.baseUrl}${req.path}`);
};

export const errorHandler =
  (logger: Logger): ErrorRequestHandler =>
  (error: unknown, _req, res, _next) => {
    const known = asAppError(error) ?? fromBodyParser(error as BodyParserError);
    if (!known) logger.error({ err: error }, 'request failed');
    else if (known.code === 'UNAVAILABLE') logger.warn({ err: error }, 'request failed');
    const payload = toErrorPayload(known ?? error);
    res.status(known?.status ?? 500).json({ error: payload });
  };

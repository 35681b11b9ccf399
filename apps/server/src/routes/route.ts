import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { AuthUser } from '../services/auth-service.js';
import { AppError, validationError } from '../utils/errors.js';

export interface Reply<Body> {
  status: number;
  body: Body;
  headers?: Record<string, string>;
}

export type Controller<Input, Body> = (input: Input, user: AuthUser) => Promise<Reply<Body>>;

const authenticatedUser = (res: Response): AuthUser => {
  const user: AuthUser | undefined = res.locals.user;
  if (!user) throw new AppError('UNAUTHORIZED', 'This route needs a token');
  return user;
};

const parseInput = <Schema extends z.ZodType>(
  req: Request,
  source: 'body' | 'query',
  schema: Schema,
): z.output<Schema> => {
  const raw: unknown = source === 'body' ? req.body : req.query;
  // express.json() leaves the body undefined when the request is not JSON at all.
  if (source === 'body' && raw === undefined) {
    throw new AppError('VALIDATION', 'Send a JSON body with "Content-Type: application/json"');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
};

const send = <Body>(res: Response, reply: Reply<Body>): void => {
  res
    .status(reply.status)
    .set(reply.headers ?? {})
    .json(reply.body);
};

/**
 * Validates the request's body or query string with a protocol schema and hands the parsed value
 * and the authenticated user to a controller. Nothing that fails to parse reaches a controller.
 */
export const route =
  <Schema extends z.ZodType, Body>(
    source: 'body' | 'query',
    schema: Schema,
    controller: Controller<z.output<Schema>, Body>,
  ): RequestHandler =>
  async (req, res) => {
    const input = parseInput(req, source, schema);
    send(res, await controller(input, authenticatedUser(res)));
  };

/** What a route without a token knows of its caller. */
export interface PublicRequest {
  /** The client's address, through the proxies `CHATTER_TRUST_PROXY` trusts. */
  address: string;
}

/** Like `route` with a JSON body, for the one route that runs before the caller has a token. */
export const publicRoute =
  <Schema extends z.ZodType, Body>(
    schema: Schema,
    controller: (input: z.output<Schema>, request: PublicRequest) => Promise<Reply<Body>>,
  ): RequestHandler =>
  async (req, res) => {
    // `req.ip` follows the app's `trust proxy`; undefined only once the socket is gone.
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    send(res, await controller(parseInput(req, 'body', schema), { address }));
  };

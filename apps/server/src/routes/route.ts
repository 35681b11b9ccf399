import type { Request, RequestHandler, Response } from 'express';
import * as z from 'zod';
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

/** The parts of a request a route validates. */
export type RequestPart = 'params' | 'query' | 'body';

const parseInput = <Schema extends z.core.$ZodType>(
  req: Request,
  source: RequestPart,
  schema: Schema,
): z.output<Schema> => {
  const raw: unknown = req[source];
  // Protocol schemas are zod/mini ones, without classic zod's methods; this parses either kind.
  const parsed = z.safeParse(schema, raw);
  if (parsed.success) return parsed.data;
  // express.json() leaves the body undefined when the request is not JSON at all.
  if (source === 'body' && raw === undefined) {
    throw new AppError('VALIDATION', 'Send a JSON body with "Content-Type: application/json"');
  }
  throw validationError(parsed.error);
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
  <Schema extends z.core.$ZodType, Body>(
    source: 'body' | 'query',
    schema: Schema,
    controller: Controller<z.output<Schema>, Body>,
  ): RequestHandler =>
  async (req, res) => {
    const input = parseInput(req, source, schema);
    send(res, await controller(input, authenticatedUser(res)));
  };

/** A schema for each part of a request a route reads, such as `{ params, body }`. */
export type RequestSchemas = Partial<Record<RequestPart, z.core.$ZodType>>;

/** What a controller of `routeParts` gets: each part, parsed. */
export type ParsedParts<Schemas extends RequestSchemas> = {
  [Part in keyof Schemas]: Schemas[Part] extends z.core.$ZodType ? z.output<Schemas[Part]> : never;
};

/**
 * Like `route`, for a route that reads several parts of the request: the path's `params`
 * (decoded by Express, so a percent-encoded emoji arrives as the emoji) with a `body` or a
 * `query`. Each part is validated with its protocol schema, path first; a part a route does not
 * name is not read. Nothing that fails to parse reaches a controller.
 */
export const routeParts =
  <Schemas extends RequestSchemas, Body>(
    schemas: Schemas,
    controller: Controller<ParsedParts<Schemas>, Body>,
  ): RequestHandler =>
  async (req, res) => {
    const input: Partial<Record<RequestPart, unknown>> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (schema) input[part] = parseInput(req, part, schema);
    }
    send(res, await controller(input as ParsedParts<Schemas>, authenticatedUser(res)));
  };

/** What a route without a token knows of its caller. */
export interface PublicRequest {
  /** The client's address, through the proxies `CHATTER_TRUST_PROXY` trusts. */
  address: string;
}

/** Like `route` with a JSON body, for the one route that runs before the caller has a token. */
export const publicRoute =
  <Schema extends z.core.$ZodType, Body>(
    schema: Schema,
    controller: (input: z.output<Schema>, request: PublicRequest) => Promise<Reply<Body>>,
  ): RequestHandler =>
  async (req, res) => {
    // `req.ip` follows the app's `trust proxy`; undefined only once the socket is gone.
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    send(res, await controller(parseInput(req, 'body', schema), { address }));
  };

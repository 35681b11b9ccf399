import type { RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { AuthUser } from '../services/auth-service.js';
import { AppError, validationError } from '../utils/errors.js';

export interface Reply<Body> {
  status: number;
  body: Body;
  headers?: Record<string, string>;
}

export type Controller<Input, Body> = (input: Input, user: AuthUser) => Promise<Reply<Body>>;

export const authenticatedUser = (res: Response): AuthUser => {
  const user: AuthUser | undefined = res.locals.user;
  if (!user) throw new AppError('UNAUTHORIZED', 'This route needs a token');
  return user;
};

/**
 * Validates the request's body or query string with a protocol schema and hands the parsed value
 * to a controller. Anything that fails to parse never reaches the controller.
 */
export const route =
  <Schema extends z.ZodType, Body>(
    source: 'body' | 'query',
    schema: Schema,
    controller: Controller<z.output<Schema>, Body>,
  ): RequestHandler =>
  async (req, res) => {
    const raw: unknown = source === 'body' ? req.body : req.query;
    if (source === 'body' && raw === undefined) {
      throw new AppError('VALIDATION', 'Send a JSON body with "Content-Type: application/json"');
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw validationError(parsed.error);
    const reply = await controller(parsed.data, authenticatedUser(res));
    res
      .status(reply.status)
      .set(reply.headers ?? {})
      .json(reply.body);
  };

/** Like `route`, for the one route that runs before the caller has a token. */
export const publicRoute =
  <Schema extends z.ZodType, Body>(
    schema: Schema,
    controller: (input: z.output<Schema>) => Promise<Reply<Body>>,
  ): RequestHandler =>
  async (req, res) => {
    if (req.body === undefined) {
      throw new AppError('VALIDATION', 'Send a JSON body with "Content-Type: application/json"');
    }
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error);
    const reply = await controller(parsed.data);
    res.status(reply.status).json(reply.body);
  };

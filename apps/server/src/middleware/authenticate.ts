import type { RequestHandler } from 'express';
import { type AuthService, bearerToken } from '../services/auth-service.js';

export const authenticate =
  (auth: AuthService): RequestHandler =>
  async (req, res, next) => {
    res.locals.user = await auth.verify(bearerToken(req.get('authorization')));
    next();
  };

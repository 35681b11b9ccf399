import {
  CreateSessionRequestSchema,
  HistoryQuerySchema,
  SendMessagePayloadSchema,
  StatusQuerySchema,
} from '@chatter/protocol';
import { Router } from 'express';
import { z } from 'zod';
import { createMessagesController } from '../controllers/messages-controller.js';
import { createSessionController } from '../controllers/session-controller.js';
import { createStatusController } from '../controllers/status-controller.js';
import { authenticate } from '../middleware/authenticate.js';
import type { AuthService } from '../services/auth-service.js';
import type { ChatService } from '../services/chat-service.js';
import type { SessionService } from '../services/session-service.js';
import type { StatusService } from '../services/status-service.js';
import type { ChatStore } from '../store/chat-store.js';
import { publicRoute, route } from './route.js';

export interface ApiDeps {
  auth: AuthService;
  chat: ChatService;
  sessions: SessionService;
  status: StatusService;
  store: ChatStore;
}

const NoQuerySchema = z.strictObject({});

export const createApiRouter = ({
  auth,
  chat,
  sessions,
  status: statusService,
}: ApiDeps): Router => {
  const session = createSessionController(sessions);
  const messages = createMessagesController(chat);
  const status = createStatusController(statusService);
  const router = Router();

  router.post('/session', publicRoute(CreateSessionRequestSchema, session.create));

  router.use(authenticate(auth));
  router.get('/session', route('query', NoQuerySchema, session.current));
  router.get('/messages', route('query', HistoryQuerySchema, messages.list));
  router.post('/messages', route('body', SendMessagePayloadSchema, messages.post));
  router.get('/status', route('query', StatusQuerySchema, status.list));

  return router;
};

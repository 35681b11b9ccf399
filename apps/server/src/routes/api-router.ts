import {
  CreateSessionRequestSchema,
  EditMessageRequestSchema,
  HistoryQuerySchema,
  MessageParamsSchema,
  ReactionParamsSchema,
  ReadRequestSchema,
  RoomParamsSchema,
  SendMessagePayloadSchema,
  StatusQuerySchema,
} from '@chatter/protocol';
import { type ErrorRequestHandler, Router } from 'express';
import { z } from 'zod';
import { createMessageChangesController } from '../controllers/message-changes-controller.js';
import { createMessagesController } from '../controllers/messages-controller.js';
import { createRoomsController } from '../controllers/rooms-controller.js';
import { createSessionController } from '../controllers/session-controller.js';
import { createStatusController } from '../controllers/status-controller.js';
import { authenticate } from '../middleware/authenticate.js';
import type { AuthService } from '../services/auth-service.js';
import type { ChatService } from '../services/chat-service.js';
import type { MessageChangeService } from '../services/message-change-service.js';
import type { ReadStateService } from '../services/read-state-service.js';
import type { SessionService } from '../services/session-service.js';
import type { StatusService } from '../services/status-service.js';
import type { ChatStore } from '../store/chat-store.js';
import { AppError } from '../utils/errors.js';
import { publicRoute, route, routeParts } from './route.js';

export interface ApiDeps {
  auth: AuthService;
  chat: ChatService;
  changes: MessageChangeService;
  readState: ReadStateService;
  sessions: SessionService;
  status: StatusService;
  store: ChatStore;
}

const NoQuerySchema = z.strictObject({});
// Routes that take no body accept none, or an empty JSON object, and nothing else.
const NoBodySchema = z.strictObject({}).optional();

/**
 * Express decodes path parameters itself; one that is not percent-encoded UTF-8 (`%E0%A4`, or a
 * lone surrogate's `%ED%A0%80`) fails there, before any route, as a URIError with status 400.
 */
const badPathParameter: ErrorRequestHandler = (error: unknown, _req, _res, next) => {
  if (error instanceof URIError && (error as URIError & { status?: number }).status === 400) {
    next(new AppError('VALIDATION', 'A path parameter is not percent-encoded UTF-8'));
    return;
  }
  next(error);
};

export const createApiRouter = ({
  auth,
  chat,
  changes: changeService,
  readState,
  sessions,
  status: statusService,
}: ApiDeps): Router => {
  const session = createSessionController(sessions);
  const messages = createMessagesController(chat);
  const changes = createMessageChangesController(changeService);
  const rooms = createRoomsController(readState);
  const status = createStatusController(statusService);
  const router = Router();

  router.post('/session', publicRoute(CreateSessionRequestSchema, session.create));

  router.use(authenticate(auth));
  router.get('/session', route('query', NoQuerySchema, session.current));
  router.get('/messages', route('query', HistoryQuerySchema, messages.list));
  router.post('/messages', route('body', SendMessagePayloadSchema, messages.post));
  const message = { params: MessageParamsSchema, query: NoQuerySchema };
  router.patch(
    '/messages/:id',
    routeParts({ ...message, body: EditMessageRequestSchema }, changes.edit),
  );
  router.delete('/messages/:id', routeParts({ ...message, body: NoBodySchema }, changes.delete));
  const reaction = { params: ReactionParamsSchema, query: NoQuerySchema, body: NoBodySchema };
  router.put('/messages/:id/reactions/:emoji', routeParts(reaction, changes.react));
  router.delete('/messages/:id/reactions/:emoji', routeParts(reaction, changes.unreact));
  router.get('/rooms', route('query', NoQuerySchema, rooms.list));
  router.post(
    '/rooms/:room/read',
    routeParts(
      { params: RoomParamsSchema, query: NoQuerySchema, body: ReadRequestSchema },
      rooms.read,
    ),
  );
  router.get('/status', route('query', StatusQuerySchema, status.list));
  router.use(badPathParameter);

  return router;
};

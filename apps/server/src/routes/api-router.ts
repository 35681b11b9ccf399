import { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import { API_ROUTES, type ApiRouteId, type HttpRoute } from '../api-docs/http-routes.js';
import { serveDocuments } from '../api-docs/serve-document.js';
import { createMessageChangesController } from '../controllers/message-changes-controller.js';
import { createMessagesController } from '../controllers/messages-controller.js';
import { createRoomsController } from '../controllers/rooms-controller.js';
import { createSessionController } from '../controllers/session-controller.js';
import { createStatusController } from '../controllers/status-controller.js';
import { authenticate } from '../middleware/authenticate.js';
import { notFound } from '../middleware/errors.js';
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
  const documents = serveDocuments();

  // One handler per route of the table, and nothing else: the table is what the router
  // registers and what openapi.json says.
  const routes = API_ROUTES;
  const handlers: Record<ApiRouteId, RequestHandler> = {
    createSession: publicRoute(routes.createSession.request.body, session.create),
    getSession: route('query', routes.getSession.request.query, session.current),
    listMessages: route('query', routes.listMessages.request.query, messages.list),
    postMessage: route('body', routes.postMessage.request.body, messages.post),
    editMessage: routeParts(routes.editMessage.request, changes.edit),
    deleteMessage: routeParts(routes.deleteMessage.request, changes.delete),
    addReaction: routeParts(routes.addReaction.request, changes.react),
    removeReaction: routeParts(routes.removeReaction.request, changes.unreact),
    listRooms: route('query', routes.listRooms.request.query, rooms.list),
    markRoomRead: routeParts(routes.markRoomRead.request, rooms.read),
    getStatus: route('query', routes.getStatus.request.query, status.list),
    getOpenApiDocument: documents.openApi,
    getAsyncApiDocument: documents.asyncApi,
  };
  // Per route, not `router.use`: a path that is no route answers 404 with or without a token.
  const requireToken = authenticate(auth);
  for (const id of Object.keys(routes) as ApiRouteId[]) {
    const spec: HttpRoute = routes[id];
    if (spec.auth) router[spec.method](spec.path, requireToken, handlers[id]);
    else router[spec.method](spec.path, handlers[id]);
  }
  router.use(badPathParameter);
  // Nothing under /api falls through to the web app; a wrong method on a known path is 404 too.
  router.use(notFound);

  return router;
};

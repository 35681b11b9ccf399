import {
  CreateSessionRequestSchema,
  CreateSessionResponseSchema,
  CurrentSessionResponseSchema,
  EditMessageRequestSchema,
  type ErrorCode,
  HistoryQuerySchema,
  HistoryResponseSchema,
  MessageChangeResponseSchema,
  MessageParamsSchema,
  PostMessageResponseSchema,
  ReactionParamsSchema,
  ReadRequestSchema,
  ReadStateSchema,
  RoomParamsSchema,
  RoomsResponseSchema,
  SendMessagePayloadSchema,
  StatusQuerySchema,
  StatusResponseSchema,
} from '@chatter/protocol';
import { z } from 'zod';

/** An HTTP method a route answers, as Express names its registration functions. */
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The schema of each part of a request a route reads (`route.ts` validates with them). */
export type RequestParts = Partial<Record<'params' | 'query' | 'body', z.core.$ZodType>>;

/** What a route answers when it succeeds. */
export interface RouteSuccess {
  status: number;
  description: string;
  /** The JSON body; absent for a body that is not JSON (see `mediaType`). */
  schema?: z.core.$ZodType;
  /** The body's media type when it is not JSON. */
  mediaType?: string;
  /** Response headers the route may set, by name, with what they mean. */
  headers?: Readonly<Record<string, string>>;
}

/** One HTTP route: what the router registers and what `openapi.json` says about it. */
export interface HttpRoute {
  method: HttpMethod;
  /** The Express path, relative to where the route's router is mounted (`:name` parameters). */
  path: string;
  /** Whether the route needs a bearer token (checked before anything else of the request). */
  auth: boolean;
  tag: 'session' | 'messages' | 'rooms' | 'status' | 'documents' | 'operations';
  summary: string;
  description?: string;
  /** The schema each part of the request is validated with; a part left out is not read. */
  request: RequestParts;
  success: RouteSuccess;
  /**
   * The error codes this route answers besides those every route under `/api` may (`VALIDATION`
   * for a body that is not JSON, `PAYLOAD_TOO_LARGE`, `INTERNAL`, and `UNAUTHORIZED` with `auth`).
   */
  errors: readonly ErrorCode[];
  /** Answers by status that are neither the success nor the shared error shape. */
  otherResponses?: Readonly<Record<number, { description: string; schema: z.core.$ZodType }>>;
}

/**
 * A route without a query string: none, or an empty one.
 *
 * @example
 * NoQuerySchema.safeParse({ room: 'x' }).success; // false
 */
export const NoQuerySchema = z.strictObject({});

/**
 * Routes that take no body accept none, or an empty JSON object, and nothing else.
 *
 * @example
 * NoBodySchema.safeParse(undefined).success; // true
 */
export const NoBodySchema = z.strictObject({}).optional();

/**
 * A JSON document (`openapi.json`, `asyncapi.json`): an object, described by its own standard.
 *
 * @example
 * JsonDocumentSchema.safeParse({ openapi: '3.1.0' }).success; // true
 */
export const JsonDocumentSchema = z.record(z.string(), z.unknown());

/**
 * Names for the schemas above in the documents; the protocol's are named after their exports.
 *
 * @example
 * new Map(SERVER_SCHEMA_NAMES.map(([name, schema]) => [schema, name])).get(NoQuerySchema); // 'NoQuery'
 */
export const SERVER_SCHEMA_NAMES: ReadonlyArray<readonly [string, z.core.$ZodType]> = [
  ['NoQuery', NoQuerySchema],
  ['EmptyBody', NoBodySchema.unwrap()],
  ['JsonDocument', JsonDocumentSchema],
];

const documentOf = (description: string): RouteSuccess => ({
  status: 200,
  description,
  schema: JsonDocumentSchema,
});

const messageChange = (description: string): RouteSuccess => ({
  status: 200,
  description,
  schema: MessageChangeResponseSchema,
});

// Each message-changing route refuses the same ways: not allowed, gone, too many, store down.
const CHANGE_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED', 'UNAVAILABLE'] as const;

/**
 * The routes under `/api`, keyed by operation id. The API router registers exactly these (a
 * handler for each, typed against this table) and `openapi.json` is written from them, so the
 * two cannot drift; `test/api-docs.test.ts` also compares the running app's routes with the
 * document.
 *
 * @example
 * API_ROUTES.postMessage; // { method: 'post', path: '/messages', auth: true, … }
 */
export const API_ROUTES = {
  createSession: {
    method: 'post',
    path: '/session',
    auth: false,
    tag: 'session',
    summary: 'Start a guest session',
    description:
      'Mints a token for a new anonymous user. Off unless the server generates its own secret or `CHATTER_GUESTS=true`; limited per client address.',
    request: { body: CreateSessionRequestSchema },
    success: { status: 201, description: 'The new session', schema: CreateSessionResponseSchema },
    errors: ['FORBIDDEN', 'RATE_LIMITED'],
  },
  getSession: {
    method: 'get',
    path: '/session',
    auth: true,
    tag: 'session',
    summary: "The token's user and expiry",
    request: { query: NoQuerySchema },
    success: { status: 200, description: 'The session', schema: CurrentSessionResponseSchema },
    errors: [],
  },
  listMessages: {
    method: 'get',
    path: '/messages',
    auth: true,
    tag: 'messages',
    summary: "A page of a room's history",
    description:
      'Without `before`/`after`, the newest `limit` messages (default 50, at most 100). `before` pages back; `after` pages forward and also returns the changes in its range. Oldest first.',
    request: { query: HistoryQuerySchema },
    success: { status: 200, description: 'The page', schema: HistoryResponseSchema },
    errors: ['FORBIDDEN', 'UNAVAILABLE'],
  },
  postMessage: {
    method: 'post',
    path: '/messages',
    auth: true,
    tag: 'messages',
    summary: 'Send a message',
    description:
      'Stored once per `clientId`: a retry answers the original message. Broadcast to the room as `message`.',
    request: { body: SendMessagePayloadSchema },
    success: {
      status: 201,
      description: 'The stored message',
      schema: PostMessageResponseSchema,
      headers: {
        'Idempotent-Replayed': '`true` when this answers an earlier send with the same `clientId`',
      },
    },
    errors: CHANGE_ERRORS,
  },
  editMessage: {
    method: 'patch',
    path: '/messages/:id',
    auth: true,
    tag: 'messages',
    summary: "Edit one of the caller's messages",
    request: { params: MessageParamsSchema, query: NoQuerySchema, body: EditMessageRequestSchema },
    success: messageChange(
      'The edited message and its `edited` log entry (`null` if the text was the same)',
    ),
    errors: CHANGE_ERRORS,
  },
  deleteMessage: {
    method: 'delete',
    path: '/messages/:id',
    auth: true,
    tag: 'messages',
    summary: "Delete one of the caller's messages",
    request: { params: MessageParamsSchema, query: NoQuerySchema, body: NoBodySchema },
    success: messageChange(
      'The tombstone and its `deleted` log entry (`null` if it was deleted already)',
    ),
    errors: CHANGE_ERRORS,
  },
  addReaction: {
    method: 'put',
    path: '/messages/:id/reactions/:emoji',
    auth: true,
    tag: 'messages',
    summary: "Add the caller's reaction",
    description: 'The emoji is percent-encoded in the path: `%F0%9F%91%8D` for 👍.',
    request: { params: ReactionParamsSchema, query: NoQuerySchema, body: NoBodySchema },
    success: messageChange(
      'The message and the `reaction_added` entry (`null` if it was there already)',
    ),
    errors: CHANGE_ERRORS,
  },
  removeReaction: {
    method: 'delete',
    path: '/messages/:id/reactions/:emoji',
    auth: true,
    tag: 'messages',
    summary: "Remove the caller's reaction",
    request: { params: ReactionParamsSchema, query: NoQuerySchema, body: NoBodySchema },
    success: messageChange(
      'The message and the `reaction_removed` entry (`null` if it was not there)',
    ),
    errors: CHANGE_ERRORS,
  },
  listRooms: {
    method: 'get',
    path: '/rooms',
    auth: true,
    tag: 'rooms',
    summary: "The caller's rooms, with read positions and unread counts",
    request: { query: NoQuerySchema },
    success: { status: 200, description: 'The rooms, oldest first', schema: RoomsResponseSchema },
    errors: ['UNAVAILABLE'],
  },
  markRoomRead: {
    method: 'post',
    path: '/rooms/:room/read',
    auth: true,
    tag: 'rooms',
    summary: "Move the caller's read position forward",
    request: { params: RoomParamsSchema, query: NoQuerySchema, body: ReadRequestSchema },
    success: { status: 200, description: 'The read position now', schema: ReadStateSchema },
    errors: ['FORBIDDEN', 'UNAVAILABLE'],
  },
  getStatus: {
    method: 'get',
    path: '/status',
    auth: true,
    tag: 'status',
    summary: 'Presence of some users, or of every online user the caller may see',
    request: { query: StatusQuerySchema },
    success: { status: 200, description: 'Their presence', schema: StatusResponseSchema },
    errors: ['UNAVAILABLE'],
  },
  getOpenApiDocument: {
    method: 'get',
    path: '/openapi.json',
    auth: false,
    tag: 'documents',
    summary: 'This document: the HTTP API in OpenAPI 3.1',
    request: {},
    success: documentOf('The OpenAPI document'),
    errors: [],
  },
  getAsyncApiDocument: {
    method: 'get',
    path: '/asyncapi.json',
    auth: false,
    tag: 'documents',
    summary: 'The Socket.IO events in AsyncAPI 3.0',
    request: {},
    success: documentOf('The AsyncAPI document'),
    errors: [],
  },
} as const satisfies Record<string, HttpRoute>;

/** The operation id of a route under `/api`. */
export type ApiRouteId = keyof typeof API_ROUTES;

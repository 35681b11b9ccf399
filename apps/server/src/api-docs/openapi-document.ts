import { ERROR_HTTP_STATUS, type ErrorCode, ErrorResponseSchema } from '@chatter/protocol';
import type { z } from 'zod';
import { API_ROUTES, type HttpRoute, SERVER_SCHEMA_NAMES } from './http-routes.js';
import {
  buildSchemaComponents,
  type JsonSchema,
  type SchemaComponents,
  usedComponents,
} from './json-schemas.js';
import { PROBE_ROUTES } from './probe-routes.js';
import { PROTOCOL_VERSION } from './protocol-version.js';

const SCHEMA_REF = '#/components/schemas/';

/** What each error code means on an HTTP route; the statuses come from `ERROR_HTTP_STATUS`. */
const ERROR_MEANINGS = {
  VALIDATION:
    'The request does not match its schema, or its body is not JSON; `details.issues` lists the problems.',
  UNAUTHORIZED: 'No token, or a malformed, expired or wrongly signed one.',
  FORBIDDEN: 'The token does not allow this (the room, another author, guests off).',
  NOT_FOUND: 'No such route, or no such message in a room the caller may use (or it was deleted).',
  PAYLOAD_TOO_LARGE: 'The body is over 32 KiB.',
  RATE_LIMITED: 'Too many requests; `details.retryAfterMs` says when to try again.',
  UNAVAILABLE:
    'The store cannot read or write right now, or the server is shutting down; nothing was stored, retry after `details.retryAfterMs`.',
  INTERNAL: 'A fault of the server; logged, never detailed.',
} as const satisfies Record<ErrorCode, string>;

/** Every route under `/api` may answer these: express.json() reads any request's body. */
const API_ERRORS: readonly ErrorCode[] = ['VALIDATION', 'PAYLOAD_TOO_LARGE'];

const PARAMETER_DESCRIPTIONS: Readonly<Record<string, string>> = {
  room: 'A room name',
  limit: 'How many messages (at most 100)',
  before: 'Page back: the newest messages before this `seq`',
  after: 'Page forward: the log entries after this `seq`',
  users: 'Comma-separated user ids; without it, every online user the caller may see',
  id: 'A message id',
  emoji: 'One emoji, percent-encoded',
};

const TAGS = [
  { name: 'session', description: 'Guest sessions and the current token' },
  { name: 'messages', description: 'History, sending, edits, deletions and reactions' },
  { name: 'rooms', description: "The caller's rooms and read positions" },
  { name: 'status', description: 'Presence' },
  { name: 'documents', description: 'The API documents (no token needed)' },
  { name: 'operations', description: 'Probes and metrics for operators (outside `/api`)' },
];

/**
 * An Express path as OpenAPI writes it.
 *
 * @example
 * toOpenApiPath('/messages/:id'); // '/messages/{id}'
 */
export const toOpenApiPath = (expressPath: string): string =>
  expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

// By the definition, not `instanceof ZodOptional`: the protocol's schemas may be zod/mini ones.
const unwrapOptional = (schema: z.core.$ZodType): { schema: z.core.$ZodType; optional: boolean } =>
  schema._zod.def.type === 'optional'
    ? { schema: (schema._zod.def as z.core.$ZodOptionalDef).innerType, optional: true }
    : { schema, optional: false };

const parametersOf = (
  components: SchemaComponents,
  schema: z.core.$ZodType | undefined,
  location: 'path' | 'query',
) => {
  if (!schema) return [];
  const object = components.resolve(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(PARAMETER_DESCRIPTIONS[name] ? { description: PARAMETER_DESCRIPTIONS[name] } : {}),
    schema: property,
  }));
};

const errorCodesOf = (route: HttpRoute, underApi: boolean): ErrorCode[] => {
  const codes = new Set<ErrorCode>(route.errors);
  if (underApi) for (const code of API_ERRORS) codes.add(code);
  if (route.auth) codes.add('UNAUTHORIZED');
  codes.add('INTERNAL');
  return [...codes].sort((a, b) => ERROR_HTTP_STATUS[a] - ERROR_HTTP_STATUS[b]);
};

const operationOf = (
  id: string,
  route: HttpRoute,
  underApi: boolean,
  components: SchemaComponents,
): JsonSchema => {
  const { success } = route;
  const responses: Record<string, unknown> = {
    [success.status]: {
      description: success.description,
      ...(success.headers && {
        headers: Object.fromEntries(
          Object.entries(success.headers).map(([name, description]) => [
            name,
            { description, schema: { type: 'string' } },
          ]),
        ),
      }),
      content: success.schema
        ? { 'application/json': { schema: components.ref(success.schema, 'output') } }
        : { [success.mediaType ?? 'text/plain']: { schema: { type: 'string' } } },
    },
  };
  for (const [status, other] of Object.entries(route.otherResponses ?? {})) {
    responses[status] = {
      description: other.description,
      content: { 'application/json': { schema: components.ref(other.schema, 'output') } },
    };
  }
  for (const code of errorCodesOf(route, underApi)) {
    responses[ERROR_HTTP_STATUS[code]] = { $ref: `#/components/responses/${code}` };
  }
  const body = route.request.body && unwrapOptional(route.request.body);
  return {
    operationId: id,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description && { description: route.description }),
    ...(route.auth ? {} : { security: [] }),
    parameters: [
      ...parametersOf(components, route.request.params, 'path'),
      ...parametersOf(components, route.request.query, 'query'),
    ],
    ...(body && {
      requestBody: {
        required: !body.optional,
        content: { 'application/json': { schema: components.ref(body.schema, 'input') } },
      },
    }),
    responses,
  };
};

const errorResponse = (code: ErrorCode, components: SchemaComponents) => ({
  description: `\`${code}\`: ${ERROR_MEANINGS[code]}`,
  content: {
    'application/json': {
      schema: {
        allOf: [
          components.ref(ErrorResponseSchema, 'output'),
          { properties: { error: { properties: { code: { const: code } } } } },
        ],
      },
    },
  },
});

/**
 * The OpenAPI 3.1 document of the HTTP API, written from the route table (`http-routes.ts`)
 * and the protocol's zod schemas (JSON Schema 2020-12, as OpenAPI 3.1 takes it). Nothing in it
 * is a hand-written copy of a schema.
 *
 * @example
 * const document = buildOpenApiDocument();
 * document.paths['/api/messages'].post.requestBody; // SendMessagePayload
 */
export const buildOpenApiDocument = (): JsonSchema => {
  // [operation id, route, whether it is under /api]
  const routes: Array<readonly [string, HttpRoute, boolean]> = [
    ...Object.entries(API_ROUTES).map(([id, route]) => [id, route, true] as const),
    ...Object.entries(PROBE_ROUTES).map(([id, route]) => [id, route, false] as const),
  ];
  const extra: Array<readonly [string, z.core.$ZodType]> = [...SERVER_SCHEMA_NAMES];
  // A route's own schema that is neither the protocol's nor named above is named after the route.
  for (const [id, route] of routes) {
    const name = id.charAt(0).toUpperCase() + id.slice(1);
    for (const [part, schema] of Object.entries(route.request)) {
      extra.push([
        `${name}${part.charAt(0).toUpperCase()}${part.slice(1)}`,
        unwrapOptional(schema).schema,
      ]);
    }
    if (route.success.schema) extra.push([`${name}Response`, route.success.schema]);
  }
  const components = buildSchemaComponents({
    target: 'draft-2020-12',
    refPrefix: SCHEMA_REF,
    extra,
  });

  const paths: Record<string, Record<string, JsonSchema>> = {};
  const codes = new Set<ErrorCode>();
  for (const [id, route, underApi] of routes) {
    const path = toOpenApiPath(underApi ? `/api${route.path}` : route.path);
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[route.method] = operationOf(
      id,
      route,
      underApi,
      components,
    );
    for (const code of errorCodesOf(route, underApi)) codes.add(code);
  }
  const responses = Object.fromEntries(
    [...codes]
      .sort((a, b) => ERROR_HTTP_STATUS[a] - ERROR_HTTP_STATUS[b])
      .map((code) => [code, errorResponse(code, components)]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'Chatter HTTP API',
      version: PROTOCOL_VERSION,
      description:
        "Generated from the `@chatter/protocol` zod schemas and the server's route table. Every refusal answers `{ error: { code, message, details? } }` with the status of its code. The Socket.IO events are described in AsyncAPI at `/api/asyncapi.json`.",
    },
    tags: TAGS,
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: usedComponents({ paths, responses }, components.schemas, SCHEMA_REF),
      responses,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A guest token from `POST /api/session`, or a JWT your backend signs (HS256) with the server secret.',
        },
      },
    },
  };
};

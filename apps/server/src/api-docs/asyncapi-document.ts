import { clientEventAckSchemas, clientEventSchemas, serverEventSchemas } from '@chatter/protocol';
import type { z } from 'zod';
import { buildSchemaComponents, type JsonSchema, usedComponents } from './json-schemas.js';
import { PROTOCOL_VERSION } from './protocol-version.js';

const SCHEMA_REF = '#/components/schemas/';
const CHANNEL = 'chatter';
const CHANNEL_REF = `#/channels/${CHANNEL}`;

/**
 * One line about each event. An event the protocol adds without a line here is documented all
 * the same, with its schemas and a generic summary: the event tables, not this list, decide
 * what is in the document.
 */
const CLIENT_EVENT_SUMMARIES: Readonly<Record<string, string>> = {
  join: 'Enter a room; the acknowledgement replays what came after `since` (or the latest page)',
  leave: "Leave a room; it leaves the user's rooms",
  message: 'Send a message; acknowledged once stored, once per `clientId`',
  history: "A page of a room's log",
  typing: 'Start or stop typing; no acknowledgement',
  away: 'This connection is idle (`true`) or back in use (`false`)',
  edit: "Edit one of the user's messages",
  delete: "Delete one of the user's messages",
  react: 'Add a reaction',
  unreact: 'Remove a reaction',
  read: "Move the user's read position forward",
  rooms: "The user's rooms",
  auth: 'A fresh token for this connection, before the one it connected with expires',
};

const SERVER_EVENT_SUMMARIES: Readonly<Record<string, string>> = {
  message: 'A new message in a joined room (not to the connection that sent it)',
  presence: "A user's status changed",
  presences: 'Several presence updates for a room at once',
  typing: 'Someone started or stopped typing',
  head: "A room's newest `seq`, so a client can tell whether a broadcast was lost",
  change: 'A message was edited, deleted or reacted to: one log entry',
  read: "This user's read position moved",
  receipts: 'Others in the room read further',
  closing: 'Why the server is about to close this connection',
};

const messageKey = (side: 'client' | 'server', event: string, ack = false) =>
  `${side}.${event}${ack ? '.ack' : ''}`;

const channelMessageRef = (key: string) => ({ $ref: `${CHANNEL_REF}/messages/${key}` });

/**
 * The AsyncAPI 3.0 document of the Socket.IO events, written from the protocol's event tables
 * (`clientEventSchemas`, `clientEventAckSchemas`, `serverEventSchemas`) and their zod schemas
 * (as JSON Schema draft 7, which AsyncAPI's schema format extends). The application it
 * describes is the server: it receives the client's events, replies with their
 * acknowledgements, and sends its own events.
 *
 * @example
 * const document = buildAsyncApiDocument();
 * document.operations['receive.join'].reply; // the join acknowledgement
 */
export const buildAsyncApiDocument = (): JsonSchema => {
  // An event schema the protocol does not export (`presences`, an array of `Presence`) is named
  // after its event; exported ones keep their export's name.
  const title = (event: string) => event.charAt(0).toUpperCase() + event.slice(1);
  const named = (table: Readonly<Record<string, z.core.$ZodType>>, suffix: string) =>
    Object.entries(table).map(([event, schema]) => [`${title(event)}${suffix}`, schema] as const);
  const extra = [
    ...named(clientEventSchemas, 'Payload'),
    ...named(clientEventAckSchemas, 'Ack'),
    ...named(serverEventSchemas, 'Event'),
  ];
  const components = buildSchemaComponents({ target: 'draft-07', refPrefix: SCHEMA_REF, extra });
  const messages: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const acks: Readonly<Record<string, z.core.$ZodType>> = clientEventAckSchemas;

  for (const [event, schema] of Object.entries(clientEventSchemas)) {
    const summary = CLIENT_EVENT_SUMMARIES[event] ?? `The \`${event}\` event`;
    const key = messageKey('client', event);
    messages[key] = {
      name: event,
      title: `${event} (client → server)`,
      summary,
      payload: components.ref(schema as z.core.$ZodType, 'input'),
    };
    const ack = acks[event];
    if (ack) {
      const ackKey = messageKey('client', event, true);
      messages[ackKey] = {
        title: `${event} acknowledgement`,
        summary: `The answer to \`${event}\`: \`{ ok: true, … }\` or \`{ ok: false, error }\``,
        payload: components.ref(ack, 'output'),
      };
    }
    operations[`receive.${event}`] = {
      action: 'receive',
      channel: { $ref: CHANNEL_REF },
      summary,
      messages: [channelMessageRef(key)],
      ...(ack && {
        reply: {
          channel: { $ref: CHANNEL_REF },
          messages: [channelMessageRef(messageKey('client', event, true))],
        },
      }),
    };
  }
  for (const [event, schema] of Object.entries(serverEventSchemas)) {
    const summary = SERVER_EVENT_SUMMARIES[event] ?? `The \`${event}\` event`;
    const key = messageKey('server', event);
    messages[key] = {
      name: event,
      title: `${event} (server → client)`,
      summary,
      payload: components.ref(schema as z.core.$ZodType, 'output'),
    };
    operations[`send.${event}`] = {
      action: 'send',
      channel: { $ref: CHANNEL_REF },
      summary,
      messages: [channelMessageRef(key)],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Chatter Socket.IO events',
      version: PROTOCOL_VERSION,
      description:
        "Generated from the `@chatter/protocol` event tables and zod schemas. The connection is Socket.IO 4 (not a plain WebSocket) on the server's own origin, path `/socket.io/`, with the token in the handshake: `io(url, { auth: { token } })`. A message's `name` is the Socket.IO event name; an acknowledgement is the reply to its event, as Socket.IO's ack callback (one argument). A refused handshake arrives as `connect_error` whose `data` is `{ code, message, details? }`; an unknown event sent with an acknowledgement gets `NOT_FOUND`. The HTTP API is described in OpenAPI at `/api/openapi.json`.",
    },
    defaultContentType: 'application/json',
    servers: {
      chatter: {
        host: '{host}',
        protocol: 'ws',
        pathname: '/socket.io/',
        description: 'The Chatter server (`wss` behind TLS)',
        variables: {
          host: { default: 'localhost:3000', description: 'Host and port of the server' },
        },
        security: [{ $ref: '#/components/securitySchemes/token' }],
      },
    },
    channels: {
      [CHANNEL]: {
        address: '/',
        title: 'The default namespace',
        description: 'Every event travels on the one connection, in the default namespace `/`.',
        servers: [{ $ref: '#/servers/chatter' }],
        messages,
      },
    },
    operations,
    components: {
      schemas: usedComponents({ messages }, components.schemas, SCHEMA_REF),
      securitySchemes: {
        token: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The same token as over HTTP, sent in the Socket.IO handshake as `auth: { token }`. The connection closes when it expires.',
        },
      },
    },
  };
};

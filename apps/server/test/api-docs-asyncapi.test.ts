import { Parser } from '@asyncapi/parser';
import * as protocol from '@chatter/protocol';
import { clientEventAckSchemas, clientEventSchemas, serverEventSchemas } from '@chatter/protocol';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { connectAs, nextEvent, rawEmitWithAck, startTestServer } from './helpers.js';

// Spectral's severities: 0 error, 1 warning, 2 information, 3 hint.
const WARNING = 1;

const fetchAsyncApi = async (url: string) => {
  const response = await fetch(`${url}/api/asyncapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  return (await response.json()) as any;
};

/** Ajv (draft 7, AsyncAPI's schema format) over the document, so its references resolve. */
const payloadValidator = (document: any) => {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema({ ...document, $id: 'https://chatter.invalid/asyncapi.json' });
  return (key: string) => {
    const pointer = `#/channels/chatter/messages/${key}/payload`;
    const validate = ajv.getSchema(`https://chatter.invalid/asyncapi.json${pointer}`);
    if (!validate) throw new Error(`no payload at ${pointer}`);
    return validate;
  };
};

describe('GET /api/asyncapi.json', () => {
  it("is valid AsyncAPI 3.0 with every event of the protocol's tables, acknowledgements as replies", async () => {
    const { url } = await startTestServer();
    const raw = await fetchAsyncApi(url);
    expect(raw.asyncapi).toBe('3.0.0');
    // One parse (it takes seconds): validation first, then the events as the parser reads them.
    const { document, diagnostics } = await new Parser().parse(raw);
    const problems = diagnostics.filter((each) => each.severity <= WARNING);
    expect(problems.map((each) => `${each.path.join('.')}: ${each.message}`)).toEqual([]);
    if (!document) throw new Error('not parsed');

    const operations = document.operations().all();
    const names = (action: 'send' | 'receive') =>
      operations
        .filter((operation) => operation.action() === action)
        .flatMap((operation) =>
          operation
            .messages()
            .all()
            .map((message) => message.name()),
        )
        .sort();
    // The server receives what clients emit and sends what they listen to.
    expect(names('receive')).toEqual(Object.keys(clientEventSchemas).sort());
    expect(names('send')).toEqual(Object.keys(serverEventSchemas).sort());

    const withReply = operations
      .filter((operation) => operation.action() === 'receive' && operation.reply())
      .flatMap((operation) =>
        operation
          .messages()
          .all()
          .map((message) => message.name()),
      )
      .sort();
    expect(withReply).toEqual(Object.keys(clientEventAckSchemas).sort());
    expect(names('receive')).toContain('typing'); // …which has no acknowledgement
    expect(withReply).not.toContain('typing');
    // The parser lints the resolved document with Spectral: 10-20 s on a busy two-core machine.
  }, 60_000);

  it("takes every payload from the protocol's schemas, by reference", async () => {
    const { url } = await startTestServer();
    const document = await fetchAsyncApi(url);
    const exported = protocol as Record<string, unknown>;
    const schemaBehind = (key: string) => {
      const ref: string = document.channels.chatter.messages[key].payload.$ref;
      const name = ref.replace('#/components/schemas/', '').replace(/Input$/, '');
      expect(document.components.schemas[ref.split('/').at(-1) as string]).toBeDefined();
      return exported[`${name}Schema`];
    };
    for (const [event, schema] of Object.entries(clientEventSchemas)) {
      expect(schemaBehind(`client.${event}`), event).toBe(schema);
    }
    for (const [event, schema] of Object.entries(clientEventAckSchemas)) {
      expect(schemaBehind(`client.${event}.ack`), event).toBe(schema);
    }
    for (const [event, schema] of Object.entries(serverEventSchemas)) {
      // `presences` is the one payload the protocol builds inline: an array of `Presence`.
      if (event === 'presences') continue;
      expect(schemaBehind(`server.${event}`), event).toBe(schema);
    }
    expect(document.channels.chatter.messages['server.presences'].payload).toEqual({
      $ref: '#/components/schemas/PresencesEvent',
    });
    expect(document.components.schemas.PresencesEvent).toMatchObject({
      type: 'array',
      items: { $ref: '#/components/schemas/Presence' },
    });
  });

  it('describes the payloads and acknowledgements a real server exchanges', async () => {
    const { url } = await startTestServer();
    const payload = payloadValidator(await fetchAsyncApi(url));
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');

    const join = { room: 'general' };
    expect(payload('client.join')(join)).toBe(true);
    for (const { socket } of [ada, bob]) {
      const ack = await socket.emitWithAck('join', join);
      expect(ack.ok).toBe(true);
      const joinAck = payload('client.join.ack');
      expect(joinAck(ack), JSON.stringify(joinAck.errors)).toBe(true);
    }

    const send = { room: 'general', text: 'hello', clientId: 'c-1' };
    expect(payload('client.message')(send)).toBe(true);
    const delivered = nextEvent(bob.socket, 'message');
    const sent = await ada.socket.emitWithAck('message', send);
    const sendAck = payload('client.message.ack');
    expect(sendAck(sent), JSON.stringify(sendAck.errors)).toBe(true);
    const event = payload('server.message');
    expect(event(await delivered), JSON.stringify(event.errors)).toBe(true);

    // What the server refuses, the document refuses, and the refusal is a documented reply.
    const bad = { room: 'general', text: 'hello', sneaky: true };
    expect(payload('client.message')(bad)).toBe(false);
    const refused = await rawEmitWithAck(ada.socket, 'message', bad);
    expect(refused.ok).toBe(false);
    expect(sendAck(refused), JSON.stringify(sendAck.errors)).toBe(true);
  });
});

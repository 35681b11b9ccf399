import { describe, expect, it, vi } from 'vitest';
import {
  connect,
  connectAs,
  createSession,
  nextEvent,
  record,
  request,
  signToken,
  sleep,
  startTestServer,
  storedMessages,
} from './helpers.js';

describe('messages over sockets and REST', () => {
  it('two clients in a room see each other’s messages, acknowledged with the stored message', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await ada.socket.emitWithAck('join', { room: 'general' });
    await bob.socket.emitWithAck('join', { room: 'general' });

    const delivered = nextEvent(bob.socket, 'message');
    const ack = await ada.socket.emitWithAck('message', { room: 'general', text: 'hello Bob' });

    expect(ack).toMatchObject({
      ok: true,
      message: { room: 'general', seq: 1, text: 'hello Bob', author: ada.user },
    });
    if (!ack.ok) throw new Error('unreachable');
    expect(await delivered).toEqual(ack.message);

    const reply = await bob.socket.emitWithAck('message', { room: 'general', text: 'hi Ada' });
    expect(reply).toMatchObject({ ok: true, message: { seq: 2, author: bob.user } });
    expect((await storedMessages(url, ada.token, 'general')).map((m) => m.text)).toEqual([
      'hello Bob',
      'hi Ada',
    ]);
  });

  it('clients on HTTP long-polling chat too', async () => {
    const { url } = await startTestServer();
    const ada = await createSession(url, 'Ada');
    const bob = await createSession(url, 'Bob');
    const adaSocket = await connect(url, ada.token, { transports: ['polling'] });
    const bobSocket = await connect(url, bob.token, { transports: ['polling'] });
    await adaSocket.emitWithAck('join', { room: 'general' });
    await bobSocket.emitWithAck('join', { room: 'general' });
    const delivered = nextEvent(bobSocket, 'message');
    const ack = await adaSocket.emitWithAck('message', { room: 'general', text: 'over polling' });
    expect(ack).toMatchObject({ ok: true, message: { seq: 1, text: 'over polling' } });
    expect(await delivered).toMatchObject({ seq: 1 });
    expect((await request(url, '/healthz')).status).toBe(200);
  });

  it('the sending socket gets its message once, in the ack; the author’s other tabs get it live', async () => {
    const { url } = await startTestServer();
    const ada = await createSession(url, 'Ada');
    const sender = await connect(url, ada.token);
    const otherTab = await connect(url, ada.token);
    await sender.emitWithAck('join', { room: 'general' });
    await otherTab.emitWithAck('join', { room: 'general' });
    const senderSees = record(sender, 'message');
    const otherTabSees = nextEvent(otherTab, 'message');

    const ack = await sender.emitWithAck('message', { room: 'general', text: 'from tab 1' });
    expect(ack).toMatchObject({ ok: true, message: { seq: 1, text: 'from tab 1' } });
    expect(await otherTabSees).toMatchObject({ seq: 1, text: 'from tab 1' });
    // A second message over REST is broadcast to every socket, the sender's included: once it
    // arrives, anything the first send broadcast to the sender would have arrived before it.
    await request(url, '/api/messages', {
      token: ada.token,
      body: { room: 'general', text: 'over REST' },
    });
    await vi.waitFor(() => expect(senderSees.map((m) => m.text)).toContain('over REST'));
    expect(senderSees.map((m) => m.text)).toEqual(['over REST']);
  });

  it('retries with the same clientId store one message and return the original', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await bob.socket.emitWithAck('join', { room: 'general' });
    const bobSees = record(bob.socket, 'message');

    const payload = { room: 'general', text: 'only once', clientId: 'c-1' };
    const first = await ada.socket.emitWithAck('message', payload);
    const retries = await Promise.all([
      ada.socket.emitWithAck('message', payload),
      ada.socket.emitWithAck('message', { ...payload, text: 'edited on retry' }),
      request(url, '/api/messages', { token: ada.token, body: payload }),
    ]);

    if (!first.ok) throw new Error(first.error.message);
    expect(retries[0]).toEqual(first);
    expect(retries[1]).toEqual(first);
    expect(retries[2].status).toBe(201);
    expect(retries[2].headers.get('idempotent-replayed')).toBe('true');
    expect(retries[2].body.message).toEqual(first.message);

    const stored = await storedMessages(url, ada.token, 'general');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toEqual(first.message);
    await sleep(100);
    expect(bobSees).toEqual([first.message]);
  });

  it('the same clientId from another author is another message', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    const a = await ada.socket.emitWithAck('message', { room: 'r', text: 'a', clientId: 'same' });
    const b = await bob.socket.emitWithAck('message', { room: 'r', text: 'b', clientId: 'same' });
    expect(a).toMatchObject({ ok: true, message: { seq: 1, text: 'a' } });
    expect(b).toMatchObject({ ok: true, message: { seq: 2, text: 'b' } });
  });

  it('a message posted over REST reaches the room’s sockets', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await bob.socket.emitWithAck('join', { room: 'general' });

    const delivered = nextEvent(bob.socket, 'message');
    const posted = await request(url, '/api/messages', {
      token: ada.token,
      body: { room: 'general', text: 'from REST', clientId: 'rest-1' },
    });

    expect(posted.status).toBe(201);
    expect(posted.headers.get('idempotent-replayed')).toBeNull();
    expect(posted.body.message).toMatchObject({
      room: 'general',
      seq: 1,
      text: 'from REST',
      clientId: 'rest-1',
      author: ada.user,
    });
    expect(await delivered).toEqual(posted.body.message);
    // Ada never joined over a socket, so nothing was delivered to her socket.
    expect(ada.socket.connected).toBe(true);
  });

  it('sockets in other rooms do not receive the message', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await bob.socket.emitWithAck('join', { room: 'elsewhere' });
    const bobSees = record(bob.socket, 'message');
    await ada.socket.emitWithAck('message', { room: 'general', text: 'not for Bob' });
    await sleep(150);
    expect(bobSees).toEqual([]);
  });

  it('after leave a socket receives no more messages from the room', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await bob.socket.emitWithAck('join', { room: 'general' });
    expect(await bob.socket.emitWithAck('leave', { room: 'general' })).toEqual({
      ok: true,
      room: 'general',
    });
    const bobSees = record(bob.socket, 'message');
    await ada.socket.emitWithAck('message', { room: 'general', text: 'gone' });
    await sleep(150);
    expect(bobSees).toEqual([]);
  });

  it('a message is in history by the time it is acknowledged', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    for (let i = 1; i <= 5; i += 1) {
      const ack = await ada.socket.emitWithAck('message', { room: 'general', text: `m${i}` });
      if (!ack.ok) throw new Error(ack.error.message);
      const stored = await storedMessages(url, ada.token, 'general');
      expect(stored.at(-1)).toEqual(ack.message);
    }
  });

  it('sending more than the configured rate is refused with RATE_LIMITED and not stored', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MESSAGES_PER_MINUTE: '3' } });
    const ada = await connectAs(url, 'Ada');
    for (const text of ['1', '2', '3']) {
      expect(await ada.socket.emitWithAck('message', { room: 'r', text })).toMatchObject({
        ok: true,
      });
    }
    const refused = await ada.socket.emitWithAck('message', { room: 'r', text: '4' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    const rest = await request(url, '/api/messages', {
      token: ada.token,
      body: { room: 'r', text: '5' },
    });
    expect(rest.status).toBe(429);
    expect(rest.body.error.code).toBe('RATE_LIMITED');
    expect((await storedMessages(url, ada.token, 'r')).map((m) => m.text)).toEqual(['1', '2', '3']);
  });

  it('a token limited to some rooms cannot join, read or post elsewhere', async () => {
    const { url } = await startTestServer();
    const token = await signToken({ sub: 'u-1', name: 'Limited', rooms: ['allowed'] });
    const socket = await connect(url, token);

    expect(await socket.emitWithAck('join', { room: 'allowed' })).toMatchObject({ ok: true });
    expect(await socket.emitWithAck('join', { room: 'secret' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await socket.emitWithAck('message', { room: 'secret', text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await socket.emitWithAck('history', { room: 'secret' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const rest = await request(url, '/api/messages?room=secret', { token });
    expect(rest.status).toBe(403);
    expect(rest.body.error.code).toBe('FORBIDDEN');
    const other = await connectAs(url, 'Other');
    expect(await storedMessages(url, other.token, 'secret')).toEqual([]);
  });
});

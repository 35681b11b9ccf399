import { LIMITS, type MessageChange } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  barrier,
  type ClientSocket,
  connect,
  connectAs,
  nextEvent,
  ok,
  record,
  request,
  sendText,
  signToken,
  startTestServer,
  storedLog,
} from './helpers.js';

// Who may change which message, what is refused (NOT_FOUND, too many reactions, the budget),
// and replies.

const ROOM = 'general';

const joinAll = async (...sockets: ClientSocket[]) => {
  for (const socket of sockets) ok(await socket.emitWithAck('join', { room: ROOM }));
};

const send = (socket: ClientSocket, text: string, room = ROOM) => sendText(socket, text, room);

const seqs = (changes: readonly MessageChange[]) => changes.map((change) => change.seq);

describe('who may change what', () => {
  it('only its author may edit or delete a message: FORBIDDEN over the socket and REST, nothing stored', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await joinAll(ada.socket, bob.socket);
    const adaSees = record(ada.socket, 'change');
    const { id } = await send(ada.socket, 'mine');

    expect(await bob.socket.emitWithAck('edit', { room: ROOM, id, text: 'yours' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Only the author of a message may edit it' },
    });
    expect(await bob.socket.emitWithAck('delete', { room: ROOM, id })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Only the author of a message may delete it' },
    });
    const patch = await request(url, `/api/messages/${id}`, {
      method: 'PATCH',
      token: bob.token,
      body: { text: 'yours' },
    });
    const remove = await request(url, `/api/messages/${id}`, {
      method: 'DELETE',
      token: bob.token,
    });
    for (const res of [patch, remove]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }

    await barrier(ada.socket);
    expect(adaSees).toEqual([]);
    const log = await storedLog(url, ada.token, ROOM);
    expect(log.changes).toEqual([]);
    expect(log.messages.map((m) => m.text)).toEqual(['mine']);
    // Others react freely; the author still edits.
    ok(await bob.socket.emitWithAck('react', { room: ROOM, id, emoji: '👍' }));
    const edited = ok(await ada.socket.emitWithAck('edit', { room: ROOM, id, text: 'still mine' }));
    expect(edited.change?.seq).toBe(3);
  });

  it('a token confined to other rooms learns nothing of a message: FORBIDDEN by room, NOT_FOUND by id', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const { id } = await send(ada.socket, 'in general');
    const confined = await signToken({ sub: ada.user.id, name: 'Ada', rooms: ['elsewhere'] });
    const socket = await connect(url, confined);
    expect(await socket.emitWithAck('edit', { room: ROOM, id, text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // Over REST the room is not named: a message in a room the token may not use is not found.
    const res = await request(url, `/api/messages/${id}`, {
      method: 'PATCH',
      token: confined,
      body: { text: 'x' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({
      code: 'NOT_FOUND',
      message: `Message ${id} was not found`,
    });
    const reaction = await request(
      url,
      `/api/messages/${id}/reactions/${encodeURIComponent('👍')}`,
      {
        method: 'PUT',
        token: confined,
      },
    );
    expect(reaction.status).toBe(404);
    expect((await storedLog(url, ada.token, ROOM)).changes).toEqual([]);
  });

  it('answers NOT_FOUND for unknown ids, messages of another room, and changes or replies to a deleted message', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const { id } = await send(ada.socket, 'soon gone');
    const elsewhere = await send(ada.socket, 'elsewhere', 'other');
    const notFound = (message: string) => ({
      ok: false,
      error: { code: 'NOT_FOUND', message },
    });

    expect(
      await ada.socket.emitWithAck('edit', { room: ROOM, id: 'no-such-id', text: 'x' }),
    ).toEqual(notFound(`Message no-such-id was not found in room "${ROOM}"`));
    expect(
      await ada.socket.emitWithAck('edit', { room: ROOM, id: elsewhere.id, text: 'x' }),
    ).toEqual(notFound(`Message ${elsewhere.id} was not found in room "${ROOM}"`));
    expect(
      await ada.socket.emitWithAck('react', { room: ROOM, id: elsewhere.id, emoji: '👍' }),
    ).toMatchObject(notFound(`Message ${elsewhere.id} was not found in room "${ROOM}"`));
    expect(await ada.socket.emitWithAck('delete', { room: ROOM, id: 'no-such-id' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    ok(await ada.socket.emitWithAck('delete', { room: ROOM, id }));
    const wasDeleted = notFound(`Message ${id} in room "${ROOM}" was deleted`);
    expect(await ada.socket.emitWithAck('edit', { room: ROOM, id, text: 'back' })).toEqual(
      wasDeleted,
    );
    expect(await ada.socket.emitWithAck('react', { room: ROOM, id, emoji: '👍' })).toEqual(
      wasDeleted,
    );
    expect(
      await ada.socket.emitWithAck('message', { room: ROOM, text: 're', replyTo: id }),
    ).toEqual(wasDeleted);
    const rest = await request(url, `/api/messages/${id}`, {
      method: 'PATCH',
      token: ada.token,
      body: { text: 'back' },
    });
    expect(rest.status).toBe(404);
    expect(rest.body.error).toEqual({
      code: 'NOT_FOUND',
      message: `Message ${id} in room "${ROOM}" was deleted`,
    });
    const unknown = await request(url, '/api/messages/no-such-id', {
      method: 'DELETE',
      token: ada.token,
    });
    expect(unknown.status).toBe(404);

    const log = await storedLog(url, ada.token, ROOM);
    expect(log.messages.map((m) => m.seq)).toEqual([1]);
    expect(log.changes.map((c) => c.type)).toEqual(['deleted']);
  });

  it(`refuses a reaction past ${LIMITS.reactionsPerMessageMax} different emoji with VALIDATION`, async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    const { id } = await send(ada.socket, 'react to me');
    // U+1F600 onwards: the emoticons block, one emoji each.
    const emoji = Array.from({ length: LIMITS.reactionsPerMessageMax + 1 }, (_, i) =>
      String.fromCodePoint(0x1f600 + i),
    );
    for (const each of emoji.slice(0, -1)) {
      ok(await ada.socket.emitWithAck('react', { room: ROOM, id, emoji: each }));
    }
    const refused = await ada.socket.emitWithAck('react', {
      room: ROOM,
      id,
      emoji: emoji.at(-1) as string,
    });
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'VALIDATION',
        message: `A message may carry at most ${LIMITS.reactionsPerMessageMax} different reactions`,
        details: { reactionsPerMessageMax: LIMITS.reactionsPerMessageMax },
      },
    });
    // One of those already there is still welcome.
    const joined = ok(
      await bob.socket.emitWithAck('react', { room: ROOM, id, emoji: emoji[0] as string }),
    );
    expect(joined.message.reactions).toHaveLength(LIMITS.reactionsPerMessageMax);
    expect(joined.message.reactions?.[0]).toMatchObject({ count: 2 });
    const log = await storedLog(url, ada.token, ROOM);
    expect(log.changes).toHaveLength(LIMITS.reactionsPerMessageMax + 1);
  });

  it('edits, deletions and reactions share the per-user message budget with sends, over sockets and REST', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MESSAGES_PER_MINUTE: '4' } });
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    const { id } = await send(ada.socket, 'one');
    ok(await ada.socket.emitWithAck('edit', { room: ROOM, id, text: 'two' }));
    ok(await ada.socket.emitWithAck('react', { room: ROOM, id, emoji: '👍' }));
    const put = await request(url, `/api/messages/${id}/reactions/${encodeURIComponent('🎉')}`, {
      method: 'PUT',
      token: ada.token,
    });
    expect(put.status).toBe(200);

    const refusals = [
      await ada.socket.emitWithAck('unreact', { room: ROOM, id, emoji: '👍' }),
      await ada.socket.emitWithAck('delete', { room: ROOM, id }),
      await ada.socket.emitWithAck('edit', { room: ROOM, id, text: 'three' }),
      await ada.socket.emitWithAck('message', { room: ROOM, text: 'four' }),
    ];
    for (const refusal of refusals) {
      expect(refusal).toMatchObject({
        ok: false,
        error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } },
      });
    }
    const rest = await request(url, `/api/messages/${id}`, { method: 'DELETE', token: ada.token });
    expect(rest.status).toBe(429);
    expect(rest.body.error.code).toBe('RATE_LIMITED');
    // Bob's budget is his own.
    ok(await bob.socket.emitWithAck('react', { room: ROOM, id, emoji: '👍' }));
    expect(seqs((await storedLog(url, ada.token, ROOM)).changes)).toEqual([2, 3, 4, 5]);
  });
});

describe('replies', () => {
  it('a reply carries its parent’s author and the start of its current text, through edits and deletion', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await joinAll(ada.socket, bob.socket);
    // Code points, not UTF-16 units: 130 emoji cut to the first 120.
    const parent = await send(ada.socket, '😀'.repeat(LIMITS.replyExcerptMaxLength + 10));
    const arrives = nextEvent(ada.socket, 'message', (m) => m.seq === 2);
    const reply = ok(
      await bob.socket.emitWithAck('message', { room: ROOM, text: 'yes', replyTo: parent.id }),
    ).message;
    expect(reply.replyTo).toEqual({
      id: parent.id,
      seq: 1,
      author: ada.user,
      excerpt: '😀'.repeat(LIMITS.replyExcerptMaxLength),
    });
    expect(await arrives).toEqual(reply);

    ok(await ada.socket.emitWithAck('edit', { room: ROOM, id: parent.id, text: 'short now' }));
    const replyNow = async () =>
      (await storedLog(url, ada.token, ROOM)).messages.find((m) => m.id === reply.id)?.replyTo;
    expect(await replyNow()).toEqual({ ...reply.replyTo, excerpt: 'short now' });
    ok(await ada.socket.emitWithAck('delete', { room: ROOM, id: parent.id }));
    expect(await replyNow()).toEqual({ ...reply.replyTo, excerpt: '', deleted: true });

    // Over REST too; a parent must be a message of the same room.
    const elsewhere = await send(ada.socket, 'elsewhere', 'other');
    const posted = await request(url, '/api/messages', {
      token: bob.token,
      body: { room: ROOM, text: 'wrong room', replyTo: elsewhere.id },
    });
    expect(posted.status).toBe(404);
    expect(posted.body.error).toEqual({
      code: 'NOT_FOUND',
      message: `Message ${elsewhere.id} was not found in room "${ROOM}"`,
    });
    const good = await request(url, '/api/messages', {
      token: bob.token,
      body: { room: ROOM, text: 'about the reply', replyTo: reply.id },
    });
    expect(good.status).toBe(201);
    expect(good.body.message.replyTo).toMatchObject({ id: reply.id, excerpt: 'yes' });
  });
});

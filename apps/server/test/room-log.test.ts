import type { MessageChange } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  barrier,
  type ClientSocket,
  connect,
  connectAs,
  createSession,
  ok,
  record,
  request,
  sendText,
  startTestServer,
  storedLog,
} from './helpers.js';

// The room's log carries every change to a message: each edit, deletion and reaction goes out
// live as one entry, and a client that was away gets each exactly once when it catches up.

const ROOM = 'general';

const joinAll = async (...sockets: ClientSocket[]) => {
  for (const socket of sockets) ok(await socket.emitWithAck('join', { room: ROOM }));
};

const send = (socket: ClientSocket, text: string, room = ROOM) => sendText(socket, text, room);

const seqs = (changes: readonly MessageChange[]) => changes.map((change) => change.seq);

describe('changes to messages, live', () => {
  it('each change reaches the room as one entry; the connection that made it gets it in its ack only', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const adaOtherTab = await connect(url, ada.token);
    const bob = await connectAs(url, 'Bob');
    await joinAll(ada.socket, adaOtherTab, bob.socket);
    const adaSees = record(ada.socket, 'change');
    const otherTabSees = record(adaOtherTab, 'change');
    const bobSees = record(bob.socket, 'change');
    const message = await send(ada.socket, 'helo');
    const { id } = message;

    const edited = ok(await ada.socket.emitWithAck('edit', { room: ROOM, id, text: 'hello' }));
    expect(edited.change).toEqual({
      room: ROOM,
      seq: 2,
      type: 'edited',
      by: ada.user.id,
      at: expect.any(String),
      message: { ...message, text: 'hello', editedAt: expect.any(String) },
    });
    expect(edited.message).toEqual(edited.change?.message);

    const reacted = ok(await bob.socket.emitWithAck('react', { room: ROOM, id, emoji: '👍' }));
    expect(reacted.change).toMatchObject({
      seq: 3,
      type: 'reaction_added',
      by: bob.user.id,
      emoji: '👍',
      message: { id, text: 'hello', reactions: [{ emoji: '👍', count: 1, users: [bob.user.id] }] },
    });

    const unreacted = ok(await bob.socket.emitWithAck('unreact', { room: ROOM, id, emoji: '👍' }));
    expect(unreacted.change).toMatchObject({ seq: 4, type: 'reaction_removed', emoji: '👍' });
    expect(unreacted.message.reactions).toBeUndefined();

    const deleted = ok(await ada.socket.emitWithAck('delete', { room: ROOM, id }));
    expect(deleted.change).toMatchObject({ seq: 5, type: 'deleted', by: ada.user.id });
    expect(deleted.message).toMatchObject({ id, seq: 1, text: '', deletedAt: expect.any(String) });
    expect(deleted.message.reactions).toBeUndefined();

    await barrier(ada.socket, adaOtherTab, bob.socket);
    expect(bobSees).toEqual([edited.change, deleted.change]);
    expect(adaSees).toEqual([reacted.change, unreacted.change]);
    // The author's other connections hear of their own changes, like of their messages.
    expect(otherTabSees).toEqual([edited.change, reacted.change, unreacted.change, deleted.change]);

    const log = await storedLog(url, ada.token, ROOM);
    expect(log.messages.map((m) => m.seq)).toEqual([1]);
    expect(log.changes.map((c) => [c.seq, c.type])).toEqual([
      [2, 'edited'],
      [3, 'reaction_added'],
      [4, 'reaction_removed'],
      [5, 'deleted'],
    ]);
  });

  it('a change that changes nothing appends nothing and goes to no one', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await joinAll(ada.socket, bob.socket);
    const adaSees = record(ada.socket, 'change');
    const bobSees = record(bob.socket, 'change');
    const { id } = await send(ada.socket, 'same');
    const react = (socket: ClientSocket, emoji: string, on = true) =>
      socket.emitWithAck(on ? 'react' : 'unreact', { room: ROOM, id, emoji });

    expect(ok(await react(bob.socket, '👍')).change).toMatchObject({ seq: 2 });
    const again = ok(await react(bob.socket, '👍'));
    expect(again.change).toBeNull();
    expect(again.message.reactions).toEqual([{ emoji: '👍', count: 1, users: [bob.user.id] }]);
    const second = ok(await react(ada.socket, '👍'));
    expect(second.change).toMatchObject({ seq: 3 });
    expect(second.message.reactions).toEqual([
      { emoji: '👍', count: 2, users: [bob.user.id, ada.user.id] },
    ]);
    expect(ok(await react(ada.socket, '🎉', false)).change).toBeNull();
    const sameText = ok(await ada.socket.emitWithAck('edit', { room: ROOM, id, text: 'same' }));
    expect(sameText.change).toBeNull();
    expect(sameText.message.editedAt).toBeUndefined();
    const deleted = ok(await ada.socket.emitWithAck('delete', { room: ROOM, id }));
    expect(deleted.change).toMatchObject({ seq: 4, type: 'deleted' });
    const deletedAgain = ok(await ada.socket.emitWithAck('delete', { room: ROOM, id }));
    expect(deletedAgain.change).toBeNull();
    expect(deletedAgain.message).toEqual(deleted.message);

    await barrier(ada.socket, bob.socket);
    expect(seqs(adaSees)).toEqual([2]);
    expect(seqs(bobSees)).toEqual([3, 4]);
    expect(seqs((await storedLog(url, ada.token, ROOM)).changes)).toEqual([2, 3, 4]);
    const rejoin = ok(await ada.socket.emitWithAck('join', { room: ROOM }));
    expect(rejoin.head).toBe(4);
  });

  it('a retried edit (same clientId) applies once and answers with its original entry', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await joinAll(ada.socket, bob.socket);
    const bobSees = record(bob.socket, 'change');
    const { id } = await send(ada.socket, 'first draft');
    const edit = { room: ROOM, id, text: 'second draft', clientId: 'edit-1' };

    const first = ok(await ada.socket.emitWithAck('edit', edit));
    expect(first.change).toMatchObject({ seq: 2, type: 'edited', clientId: 'edit-1' });
    const retries = await Promise.all([
      ada.socket.emitWithAck('edit', edit),
      // The clientId names the edit: a retry with other text is still that edit.
      ada.socket.emitWithAck('edit', { ...edit, text: 'third draft' }),
    ]);
    const overRest = await request(url, `/api/messages/${id}`, {
      method: 'PATCH',
      token: ada.token,
      body: { text: 'second draft', clientId: 'edit-1' },
    });
    for (const retry of retries) expect(ok(retry)).toEqual(first);
    expect(overRest.status).toBe(200);
    expect(overRest.body).toEqual({ message: first.message, change: first.change });

    const log = await storedLog(url, ada.token, ROOM);
    expect(seqs(log.changes)).toEqual([2]);
    expect(log.messages[0]?.text).toBe('second draft');
    // Another clientId is another edit.
    const third = ok(
      await ada.socket.emitWithAck('edit', { ...edit, text: 'third', clientId: 'edit-3' }),
    );
    expect(third.change).toMatchObject({ seq: 3, clientId: 'edit-3' });
    await barrier(ada.socket, bob.socket);
    // Bob may hear the first entry again with a retry; he applies each seq once.
    expect([...new Set(seqs(bobSees))]).toEqual([2, 3]);
  });
});

describe('changes to messages, through catch-up', () => {
  it('a client that was away gets every entry it missed exactly once, gap-free, in its latest state', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const carol = await connectAs(url, 'Carol');
    const bobSession = await createSession(url, 'Bob');
    const bob = await connect(url, bobSession.token);
    await joinAll(ada.socket, carol.socket);
    const m1 = await send(ada.socket, 'm1');
    const m2 = await send(ada.socket, 'm2');
    // Bob holds seq 1 and 2 when he goes.
    const { epoch, head } = ok(await bob.emitWithAck('join', { room: ROOM }));
    expect(head).toBe(2);
    bob.disconnect();

    ok(await ada.socket.emitWithAck('edit', { room: ROOM, id: m1.id, text: 'm1 edited' })); // 3
    ok(await carol.socket.emitWithAck('react', { room: ROOM, id: m2.id, emoji: '🎉' })); // 4
    const m3 = await send(ada.socket, 'm3'); // 5
    ok(await carol.socket.emitWithAck('react', { room: ROOM, id: m3.id, emoji: '👍' })); // 6
    ok(await ada.socket.emitWithAck('delete', { room: ROOM, id: m2.id })); // 7
    ok(await carol.socket.emitWithAck('react', { room: ROOM, id: m1.id, emoji: '❤️' })); // 8

    const back = await connect(url, bobSession.token);
    const live = record(back, 'change');
    const rejoin = ok(await back.emitWithAck('join', { room: ROOM, since: 2, epoch }));
    expect(rejoin).toMatchObject({ epoch, head: 8, hasMore: false });
    expect(rejoin.messages.map((m) => [m.seq, m.text])).toEqual([[5, 'm3']]);
    expect(rejoin.changes.map((c) => [c.seq, c.type, c.message.id])).toEqual([
      [3, 'edited', m1.id],
      [4, 'reaction_added', m2.id],
      [6, 'reaction_added', m3.id],
      [7, 'deleted', m2.id],
      [8, 'reaction_added', m1.id],
    ]);
    const entries = [...rejoin.messages.map((m) => m.seq), ...seqs(rejoin.changes)];
    expect(entries.sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8]);
    // Each entry carries its message as it is now: applying them in any order ends the same.
    const latest = new Map(rejoin.changes.map((c) => [c.message.id, c.message]));
    expect(latest.get(m1.id)).toMatchObject({
      text: 'm1 edited',
      reactions: [{ emoji: '❤️', count: 1, users: [carol.user.id] }],
    });
    expect(latest.get(m2.id)).toMatchObject({ text: '', deletedAt: expect.any(String) });
    expect(latest.get(m2.id)?.reactions).toBeUndefined();

    // The same entries over REST and socket history, in pages that leave no gap between them.
    const rest = await storedLog(url, bobSession.token, ROOM, 2);
    expect(rest).toEqual({ messages: rejoin.messages, changes: rejoin.changes, hasMore: false });
    const page1 = ok(await back.emitWithAck('history', { room: ROOM, after: 2, limit: 3 }));
    expect([page1.messages.map((m) => m.seq), seqs(page1.changes), page1.hasMore]).toEqual([
      [5],
      [3, 4],
      true,
    ]);
    const page2 = ok(await back.emitWithAck('history', { room: ROOM, after: 5, limit: 3 }));
    expect([page2.messages, seqs(page2.changes), page2.hasMore]).toEqual([[], [6, 7, 8], false]);

    // After the catch-up, changes come live, and only the new ones.
    ok(await ada.socket.emitWithAck('edit', { room: ROOM, id: m3.id, text: 'm3 edited' }));
    await barrier(back);
    expect(seqs(live)).toEqual([9]);
  });

  it('a first join shows messages in their latest state and no changes', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const m1 = await send(ada.socket, 'm1');
    await send(ada.socket, 'm2');
    ok(await ada.socket.emitWithAck('edit', { room: ROOM, id: m1.id, text: 'm1 edited' }));
    ok(await ada.socket.emitWithAck('react', { room: ROOM, id: m1.id, emoji: '👍' }));
    const bob = await connectAs(url, 'Bob');
    const join = ok(await bob.socket.emitWithAck('join', { room: ROOM }));
    expect(join).toMatchObject({ head: 4, changes: [], hasMore: false });
    expect(join.messages.map((m) => [m.seq, m.text, m.reactions?.length ?? 0])).toEqual([
      [1, 'm1 edited', 1],
      [2, 'm2', 0],
    ]);
  });
});

describe('changes over REST', () => {
  it('PATCH, DELETE and reaction routes answer like the socket and broadcast each change to the whole room', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await joinAll(ada.socket, bob.socket);
    const adaSees = record(ada.socket, 'change');
    const bobSees = record(bob.socket, 'change');
    const { id } = await send(ada.socket, 'typo');
    const emoji = '👩🏽‍💻';
    const reactionPath = `/api/messages/${id}/reactions/${encodeURIComponent(emoji)}`;
    const call = (method: string, path: string, token: string, body?: unknown) =>
      request(url, path, { method, token, ...(body === undefined ? {} : { body }) });

    const answers = [
      await call('PATCH', `/api/messages/${id}`, ada.token, { text: 'fixed', clientId: 'r-1' }),
      await call('PUT', reactionPath, bob.token),
      await call('PUT', reactionPath, bob.token),
      await call('DELETE', reactionPath, bob.token),
      await call('DELETE', reactionPath, bob.token),
      await call('DELETE', `/api/messages/${id}`, ada.token),
      await call('DELETE', `/api/messages/${id}`, ada.token),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => [a.body.change?.seq ?? null, a.body.change?.type ?? null])).toEqual([
      [2, 'edited'],
      [3, 'reaction_added'],
      [null, null],
      [4, 'reaction_removed'],
      [null, null],
      [5, 'deleted'],
      [null, null],
    ]);
    expect(answers[0]?.body.change).toMatchObject({ clientId: 'r-1', message: { text: 'fixed' } });
    expect(answers[1]?.body.change).toMatchObject({
      emoji,
      message: { reactions: [{ emoji, count: 1, users: [bob.user.id] }] },
    });
    for (const answer of answers) {
      if (answer.body.change) expect(answer.body.message).toEqual(answer.body.change.message);
    }

    await barrier(ada.socket, bob.socket);
    const changes = answers.flatMap((a) => (a.body.change ? [a.body.change] : []));
    // No connection made these, so everyone in the room gets them, their authors included.
    expect(adaSees).toEqual(changes);
    expect(bobSees).toEqual(changes);
  });
});

import { LIMITS } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ClientSocket,
  connect,
  connectAs,
  createSession,
  nextEvent,
  record,
  request,
  startTestServer,
  tempDataDir,
} from './helpers.js';

const sendMany = async (socket: ClientSocket, room: string, count: number, prefix = 'm') => {
  for (let i = 1; i <= count; i += 1) {
    const ack = await socket.emitWithAck('message', { room, text: `${prefix}${i}` });
    if (!ack.ok) throw new Error(ack.error.message);
  }
};

describe('history and catch-up', () => {
  it('join without since answers with the latest page, oldest first, and the head', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await sendMany(ada.socket, 'general', 120);
    const bob = await connectAs(url, 'Bob');

    const ack = await bob.socket.emitWithAck('join', { room: 'general' });
    if (!ack.ok) throw new Error(ack.error.message);
    expect(ack.head).toBe(120);
    expect(ack.epoch).toMatch(/\S+/);
    expect(ack.messages.map((m) => m.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 21));
    expect(ack.hasMore).toBe(true);
  });

  it('joining an empty room answers head 0 and no messages', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const ack = await ada.socket.emitWithAck('join', { room: 'empty' });
    expect(ack).toMatchObject({ ok: true, room: 'empty', head: 0, messages: [], hasMore: false });
  });

  it('a client that rejoins with since gets exactly the messages it missed, then live ones', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bobSession = await createSession(url, 'Bob');
    let bob = await connect(url, bobSession.token);
    const first = await bob.emitWithAck('join', { room: 'general' });
    if (!first.ok) throw new Error(first.error.message);
    await sendMany(ada.socket, 'general', 2, 'seen');
    await new Promise((resolve) => setTimeout(resolve, 50));
    bob.disconnect();

    await sendMany(ada.socket, 'general', 3, 'missed');
    bob = await connect(url, bobSession.token);
    const live = record(bob, 'message');
    const rejoin = await bob.emitWithAck('join', { room: 'general', since: 2, epoch: first.epoch });
    if (!rejoin.ok) throw new Error(rejoin.error.message);

    expect(rejoin.epoch).toBe(first.epoch);
    expect(rejoin.messages.map((m) => [m.seq, m.text])).toEqual([
      [3, 'missed1'],
      [4, 'missed2'],
      [5, 'missed3'],
    ]);
    expect(rejoin.hasMore).toBe(false);
    expect(rejoin.head).toBe(5);

    const liveArrives = nextEvent(bob, 'message', (m) => m.seq === 6);
    await ada.socket.emitWithAck('message', { room: 'general', text: 'live' });
    await liveArrives;
    expect(live.map((m) => m.seq)).toEqual([6]);
  });

  it('a long catch-up is paged: a join with since replays 1000, history { after } pages of 1000 fetch the rest', async () => {
    const { catchUpPageMaxSize } = LIMITS;
    const total = catchUpPageMaxSize * 2 + 300;
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    // In parallel batches: the store commits them in groups, so seeding takes a moment, not minutes.
    for (let sent = 0; sent < total; sent += 250) {
      const batch = Array.from({ length: Math.min(250, total - sent) }, (_, i) =>
        ada.socket.emitWithAck('message', { room: 'general', text: `m${sent + i + 1}` }),
      );
      for (const ack of await Promise.all(batch)) if (!ack.ok) throw new Error(ack.error.message);
    }
    const bob = await connectAs(url, 'Bob');

    const join = await bob.socket.emitWithAck('join', { room: 'general', since: 0 });
    if (!join.ok) throw new Error(join.error.message);
    const pageSizes = [join.messages.length];
    const seqs = join.messages.map((m) => m.seq);
    let hasMore = join.hasMore;
    while (hasMore) {
      const page = await bob.socket.emitWithAck('history', {
        room: 'general',
        after: seqs.at(-1),
        limit: catchUpPageMaxSize,
      });
      if (!page.ok) throw new Error(page.error.message);
      pageSizes.push(page.messages.length);
      seqs.push(...page.messages.map((m) => m.seq));
      hasMore = page.hasMore;
    }
    expect(pageSizes).toEqual([catchUpPageMaxSize, catchUpPageMaxSize, 300]);
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    // A first join (no since) still shows only the newest page a reader scrolls back from.
    const carol = await connectAs(url, 'Carol');
    const first = await carol.socket.emitWithAck('join', { room: 'general' });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.messages.map((m) => m.seq)).toEqual(
      Array.from({ length: LIMITS.historyPageMaxSize }, (_, i) => total - 99 + i),
    );
  });

  it('a since from another epoch is ignored and the latest page comes back', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await sendMany(ada.socket, 'general', 3);
    const ack = await ada.socket.emitWithAck('join', {
      room: 'general',
      since: 2,
      epoch: 'an-epoch-from-an-older-history',
    });
    if (!ack.ok) throw new Error(ack.error.message);
    expect(ack.epoch).not.toBe('an-epoch-from-an-older-history');
    expect(ack.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('REST history pages backwards with before and forwards with after', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await sendMany(ada.socket, 'general', 25);
    const get = (query: string) =>
      request(url, `/api/messages?room=general&${query}`, { token: ada.token });

    const latest = await get('limit=10');
    expect(latest.status).toBe(200);
    expect(latest.body.messages.map((m: { seq: number }) => m.seq)).toEqual([
      16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    ]);
    expect(latest.body.hasMore).toBe(true);

    const older = await get('limit=10&before=16');
    expect(older.body.messages.map((m: { seq: number }) => m.seq)).toEqual([
      6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ]);
    expect(older.body.hasMore).toBe(true);

    const oldest = await get('limit=10&before=6');
    expect(oldest.body.messages.map((m: { seq: number }) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(oldest.body.hasMore).toBe(false);

    const forwards = await get('limit=10&after=20');
    expect(forwards.body.messages.map((m: { seq: number }) => m.seq)).toEqual([21, 22, 23, 24, 25]);
    expect(forwards.body.hasMore).toBe(false);

    const between = await get('after=3&before=7');
    expect(between.body.messages.map((m: { seq: number }) => m.seq)).toEqual([4, 5, 6]);

    const defaultPage = await get('');
    expect(defaultPage.body.messages).toHaveLength(25);
  });

  it('REST and socket history return the same pages', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await sendMany(ada.socket, 'general', 12);
    const rest = await request(url, '/api/messages?room=general&before=10&limit=4', {
      token: ada.token,
    });
    const socket = await ada.socket.emitWithAck('history', {
      room: 'general',
      before: 10,
      limit: 4,
    });
    expect(socket).toEqual({ ok: true, ...rest.body });
  });

  it('history persists across a restart, with the same epoch and seq continuing', async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    const ada = await connectAs(first.url, 'Ada');
    const join = await ada.socket.emitWithAck('join', { room: 'general' });
    if (!join.ok) throw new Error(join.error.message);
    await sendMany(ada.socket, 'general', 3, 'before');
    ada.socket.disconnect();
    await first.close();

    const second = await startTestServer({ dataDir });
    // The JWT secret is configured, so the old token still works after the restart.
    const socket = await connect(second.url, ada.token);
    const rejoin = await socket.emitWithAck('join', { room: 'general' });
    if (!rejoin.ok) throw new Error(rejoin.error.message);
    expect(rejoin.epoch).toBe(join.epoch);
    expect(rejoin.head).toBe(3);
    expect(rejoin.messages.map((m) => m.text)).toEqual(['before1', 'before2', 'before3']);

    const next = await socket.emitWithAck('message', { room: 'general', text: 'after' });
    expect(next).toMatchObject({ ok: true, message: { seq: 4, text: 'after' } });
  });
});

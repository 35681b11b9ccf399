import { LIMITS, type ReceiptsEvent } from '@chatter/protocol';
import { describe, expect, it, vi } from 'vitest';
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
} from './helpers.js';

const ROOM = 'general';

const send = (socket: ClientSocket, text: string, room = ROOM) => sendText(socket, text, room);

const roomsOf = async (url: string, token: string) => {
  const res = await request(url, '/api/rooms', { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.rooms as Array<{ room: string; readSeq: number; unread: number; head: number }>;
};

describe('read positions', () => {
  it('reading on one connection tells all of the user’s connections at once, and never goes back', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const otherTab = await connect(url, ada.token);
    const bob = await connectAs(url, 'Bob');
    for (const socket of [ada.socket, otherTab, bob.socket]) {
      ok(await socket.emitWithAck('join', { room: ROOM }));
    }
    for (const text of ['b1', 'b2', 'b3']) await send(bob.socket, text);
    const senderHears = record(ada.socket, 'read');
    const otherTabHears = record(otherTab, 'read');

    const told = nextEvent(otherTab, 'read');
    const ack = await ada.socket.emitWithAck('read', { room: ROOM, seq: 2 });
    const state = { room: ROOM, seq: 2, unread: 1, head: 3 };
    expect(ack).toEqual({ ok: true, ...state });
    expect(await told).toEqual(state);

    // Backwards, over the socket and REST: the position stays, and nobody is told anything.
    expect(await ada.socket.emitWithAck('read', { room: ROOM, seq: 1 })).toEqual({
      ok: true,
      ...state,
    });
    const rest = await request(url, `/api/rooms/${ROOM}/read`, {
      token: ada.token,
      body: { seq: 0 },
    });
    expect(rest).toMatchObject({ status: 200, body: state });
    expect(await ada.socket.emitWithAck('read', { room: ROOM, seq: 2 })).toEqual({
      ok: true,
      ...state,
    });
    await barrier(ada.socket, otherTab);
    expect(otherTabHears).toEqual([state]);
    expect(senderHears).toEqual([state]);

    // Past the head it stops at the head; over REST the sockets hear of it all the same.
    const atHead = { room: ROOM, seq: 3, unread: 0, head: 3 };
    expect(await otherTab.emitWithAck('read', { room: ROOM, seq: 99 })).toEqual({
      ok: true,
      ...atHead,
    });
    await send(bob.socket, 'b4');
    const heard = nextEvent(otherTab, 'read', (read) => read.seq === 4);
    const moved = await request(url, `/api/rooms/${ROOM}/read`, {
      token: ada.token,
      body: { seq: 4 },
    });
    expect(moved).toMatchObject({ status: 200, body: { room: ROOM, seq: 4, unread: 0, head: 4 } });
    expect(await heard).toEqual(moved.body);
    await barrier(ada.socket, otherTab);
    expect(otherTabHears.map((read) => read.seq)).toEqual([2, 3, 4]);
    expect(senderHears.map((read) => read.seq)).toEqual([2, 3, 4]);
    // Bob's connections hear nothing of Ada's reading but receipts.
    expect(ok(await bob.socket.emitWithAck('join', { room: ROOM })).reads).toEqual([
      { userId: ada.user.id, seq: 4 },
    ]);
  });

  it('unread counts messages by others after the read position, deleted ones left out', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    ok(await ada.socket.emitWithAck('join', { room: ROOM }));
    ok(await bob.socket.emitWithAck('join', { room: ROOM }));
    await send(bob.socket, 'b1'); // 1
    const b2 = await send(bob.socket, 'b2'); // 2
    await send(bob.socket, 'b3'); // 3
    const a1 = await send(ada.socket, 'a1'); // 4: her own, never unread for her
    await send(ada.socket, 'a2'); // 5
    ok(await bob.socket.emitWithAck('delete', { room: ROOM, id: b2.id })); // 6
    ok(await ada.socket.emitWithAck('delete', { room: ROOM, id: a1.id })); // 7

    // A new connection of Ada's: b1 and b3 are unread.
    const laptop = await connect(url, ada.token);
    const join = ok(await laptop.emitWithAck('join', { room: ROOM }));
    expect(join).toMatchObject({ head: 7, readSeq: 0, unread: 2 });
    expect(await roomsOf(url, ada.token)).toEqual([
      {
        room: ROOM,
        epoch: join.epoch,
        head: 7,
        readSeq: 0,
        unread: 2,
        joinedAt: expect.any(String),
      },
    ]);
    // Bob: Ada's a2 (her a1 is deleted).
    expect(await roomsOf(url, bob.token)).toMatchObject([{ room: ROOM, unread: 1 }]);

    expect(ok(await laptop.emitWithAck('read', { room: ROOM, seq: 1 }))).toMatchObject({
      unread: 1,
    });
    expect(ok(await laptop.emitWithAck('read', { room: ROOM, seq: 3 }))).toMatchObject({
      unread: 0,
    });
    await send(bob.socket, 'b4');
    await send(ada.socket, 'a3');
    expect(await roomsOf(url, ada.token)).toMatchObject([
      { room: ROOM, head: 9, readSeq: 3, unread: 1 },
    ]);
    const rejoin = ok(await laptop.emitWithAck('join', { room: ROOM }));
    expect(rejoin).toMatchObject({ head: 9, readSeq: 3, unread: 1 });
  });
});

describe('the rooms the server remembers', () => {
  it('a first join starts the read position at the head: what came before is history, not unread', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    for (const text of ['m1', 'm2', 'm3']) await send(ada.socket, text);

    expect(ok(await bob.socket.emitWithAck('join', { room: ROOM }))).toMatchObject({
      head: 3,
      readSeq: 3,
      unread: 0,
    });
    await send(ada.socket, 'm4');
    expect(await roomsOf(url, bob.token)).toMatchObject([{ room: ROOM, readSeq: 3, unread: 1 }]);
    // Another device joins as the same member: the position is kept.
    const phone = await connect(url, bob.token);
    expect(ok(await phone.emitWithAck('join', { room: ROOM }))).toMatchObject({
      head: 4,
      readSeq: 3,
      unread: 1,
    });
    // Leaving forgets it; joining again is a first join again.
    ok(await phone.emitWithAck('leave', { room: ROOM }));
    await send(ada.socket, 'm5');
    expect(ok(await phone.emitWithAck('join', { room: ROOM }))).toMatchObject({
      head: 5,
      readSeq: 5,
      unread: 0,
    });
  });

  it('joins add a room, leave removes it, and every connection of the user sees the same list', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    for (const room of ['a', 'b', 'c']) ok(await ada.socket.emitWithAck('join', { room }));
    const listed = ok(await ada.socket.emitWithAck('rooms', {})).rooms;
    expect(listed.map((r) => r.room)).toEqual(['a', 'b', 'c']);
    expect(await roomsOf(url, ada.token)).toEqual(listed);

    expect(await ada.socket.emitWithAck('leave', { room: 'b' })).toEqual({ ok: true, room: 'b' });
    const phone = await connect(url, ada.token);
    const onPhone = ok(await phone.emitWithAck('rooms', {})).rooms;
    expect(onPhone.map((r) => r.room)).toEqual(['a', 'c']);
    expect(await roomsOf(url, ada.token)).toEqual(onPhone);

    // A reconnect joins again: the membership is kept as it was, read position included.
    await send(phone, 'hello', 'a');
    ok(await phone.emitWithAck('read', { room: 'a', seq: 1 }));
    ok(await phone.emitWithAck('join', { room: 'a' }));
    const again = ok(await phone.emitWithAck('rooms', {})).rooms;
    expect(again).toEqual([{ ...onPhone[0], head: 1, readSeq: 1, unread: 0 }, onPhone[1]]);

    // Others have lists of their own; a refused join adds nothing.
    const bob = await connectAs(url, 'Bob');
    expect(ok(await bob.socket.emitWithAck('rooms', {})).rooms).toEqual([]);
    const confined = await connect(url, await signToken({ sub: 'u-1', name: 'U', rooms: ['a'] }));
    expect(await confined.emitWithAck('join', { room: 'b' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await confined.emitWithAck('read', { room: 'b', seq: 1 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(ok(await confined.emitWithAck('rooms', {})).rooms).toEqual([]);
  });
});

describe('read receipts', () => {
  it('reach the others in the room gathered: at most one receipts event per room and interval', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    const carol = await connectAs(url, 'Carol');
    for (const { socket } of [ada, bob, carol])
      ok(await socket.emitWithAck('join', { room: ROOM }));
    for (let i = 1; i <= 20; i++) await send(ada.socket, `m${i}`);
    const arrivals: Array<{ at: number; event: ReceiptsEvent }> = [];
    ada.socket.on('receipts', (event) => arrivals.push({ at: performance.now(), event }));

    const first = nextEvent(ada.socket, 'receipts');
    const startedAt = performance.now();
    ok(await bob.socket.emitWithAck('read', { room: ROOM, seq: 1 }));
    expect(await first).toEqual({ room: ROOM, reads: [{ userId: bob.user.id, seq: 1 }] });

    for (let seq = 2; seq <= 20; seq++) {
      ok(await bob.socket.emitWithAck('read', { room: ROOM, seq }));
      ok(await carol.socket.emitWithAck('read', { room: ROOM, seq }));
    }
    // The furthest positions arrive, gathered, within an interval or two.
    const furthest = () => {
      const seen = new Map<string, number>();
      for (const { event } of arrivals) {
        for (const { userId, seq } of event.reads) {
          seen.set(userId, Math.max(seen.get(userId) ?? 0, seq));
        }
      }
      return seen;
    };
    await vi.waitFor(
      () => {
        expect(furthest().get(bob.user.id)).toBe(20);
        expect(furthest().get(carol.user.id)).toBe(20);
      },
      { timeout: 4 * LIMITS.readReceiptsIntervalMs },
    );
    const elapsed = performance.now() - startedAt;
    // Without the gathering, this is 39.
    expect(arrivals.length).toBeLessThanOrEqual(
      Math.ceil(elapsed / LIMITS.readReceiptsIntervalMs) + 1,
    );
    for (let i = 1; i < arrivals.length; i++) {
      const gap = (arrivals[i]?.at ?? 0) - (arrivals[i - 1]?.at ?? 0);
      // Sent a whole interval apart; arrivals over loopback may bunch up by a few milliseconds.
      expect(gap).toBeGreaterThan(LIMITS.readReceiptsIntervalMs * 0.8);
    }

    // A join lists the others' positions, furthest first, never the joiner's own.
    const bobJoin = ok(await bob.socket.emitWithAck('join', { room: ROOM }));
    expect(bobJoin.reads).toEqual([{ userId: carol.user.id, seq: 20 }]);
    const dave = await connectAs(url, 'Dave');
    const daveJoin = ok(await dave.socket.emitWithAck('join', { room: ROOM }));
    expect(daveJoin.reads).toHaveLength(2);
    expect(new Set(daveJoin.reads.map((r) => r.userId))).toEqual(
      new Set([bob.user.id, carol.user.id]),
    );
  });
});

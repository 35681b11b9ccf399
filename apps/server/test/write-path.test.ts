import { once } from 'node:events';
import path from 'node:path';
import type { Message } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ClientSocket,
  connect,
  createSession,
  holdWriteLock,
  request,
  signToken,
  spawnServer,
  startTestServer,
  tempDataDir,
} from './helpers.js';

/** Every message of `room`, oldest first, paging forwards through REST. */
const wholeHistory = async (url: string, token: string, room: string): Promise<Message[]> => {
  const all: Message[] = [];
  for (;;) {
    const after = all.at(-1)?.seq ?? 0;
    const { status, body } = await request(
      url,
      `/api/messages?room=${room}&after=${after}&limit=100`,
      { token },
    );
    if (status !== 200) throw new Error(`history failed: ${status} ${JSON.stringify(body)}`);
    all.push(...body.messages);
    if (body.messages.length < 100) return all;
  }
};

const expectGapFreeAndUnique = (messages: Message[]) => {
  expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
  const clientIds = messages.map((m) => `${m.author.id}/${m.clientId}`);
  expect(new Set(clientIds).size).toBe(clientIds.length);
};

describe('the group-committed write path', () => {
  it('200 sockets appending into 20 rooms at once: gap-free seq per room, one row per clientId', async () => {
    const { url } = await startTestServer();
    const rooms = Array.from({ length: 20 }, (_, i) => `room-${i}`);
    const sockets = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const token = await signToken({ sub: `user-${i}`, name: `User ${i}` });
        const socket = await connect(url, token);
        await socket.emitWithAck('join', { room: rooms[i % 20] as string });
        return socket;
      }),
    );
    const PER_SOCKET = 5;
    const acks = await Promise.all(
      sockets.flatMap((socket, i) =>
        Array.from({ length: PER_SOCKET }, async (_, n) => {
          const payload = { room: rooms[i % 20] as string, text: `${i}/${n}`, clientId: `c-${n}` };
          // Every other message is sent twice at once, as a client retrying would.
          const [ack, retry] = await Promise.all([
            socket.emitWithAck('message', payload),
            n % 2 === 0 ? socket.emitWithAck('message', payload) : undefined,
          ]);
          if (!ack.ok) throw new Error(ack.error.message);
          if (retry) expect(retry).toEqual(ack);
          return ack.message;
        }),
      ),
    );
    const token = await signToken({ sub: 'reader', name: 'Reader' });
    for (const room of rooms) {
      const stored = await wholeHistory(url, token, room);
      expect(stored).toHaveLength(10 * PER_SOCKET);
      expectGapFreeAndUnique(stored);
      const acked = acks.filter((m) => m.room === room).sort((a, b) => a.seq - b.seq);
      expect(stored).toEqual(acked);
    }
  }, 60_000);

  it('another process holding the write lock delays neither /healthz nor reads; blocked writes fail UNAVAILABLE', async () => {
    const { url, dataDir } = await startTestServer({
      env: { CHATTER_SQLITE_BUSY_TIMEOUT_MS: '1500' },
    });
    const ada = await createSession(url, 'Ada');
    const post = (text: string, clientId: string) =>
      request(url, '/api/messages', {
        token: ada.token,
        body: { room: 'general', text, clientId },
      });
    expect((await post('before the lock', 'c1')).status).toBe(201);

    const locker = await holdWriteLock(path.join(dataDir, 'chatter.db'));
    let settled = false;
    const blocked = post('during the lock', 'c2').finally(() => {
      settled = true;
    });
    // While the write waits for the lock, the event loop keeps answering.
    for (let i = 0; i < 5; i++) {
      expect((await request(url, '/healthz')).status).toBe(200);
      const history = await request(url, '/api/messages?room=general', { token: ada.token });
      expect(history.body.messages.map((m: Message) => m.text)).toEqual(['before the lock']);
    }
    expect(settled).toBe(false);

    const refused = await blocked;
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({
      code: 'UNAVAILABLE',
      details: { retryAfterMs: expect.any(Number) },
    });
    locker.kill();
    await once(locker, 'exit');

    // The retry, with the same clientId, is stored once, right after the first message.
    const retried = await post('during the lock', 'c2');
    expect(retried.status).toBe(201);
    expect(retried.body.message.seq).toBe(2);
  }, 30_000);

  it('a kill -9 in the middle of group commits loses nothing that was acknowledged', async () => {
    const dataDir = tempDataDir();
    const first = await spawnServer({ CHATTER_DATA_DIR: dataDir });
    const rooms = ['k-0', 'k-1', 'k-2', 'k-3'];
    const sockets: ClientSocket[] = [];
    for (let i = 0; i < 40; i++) {
      const socket = await connect(first.url, await signToken({ sub: `u${i}`, name: `U${i}` }));
      await socket.emitWithAck('join', { room: rooms[i % rooms.length] as string });
      sockets.push(socket);
    }
    const acked: Message[] = [];
    let killed = false;
    // Each socket keeps two messages in flight until the server dies under them.
    const senders = sockets.flatMap((socket, i) =>
      [0, 1].map(async (lane) => {
        for (let n = 0; !killed; n++) {
          const ack = await socket
            .timeout(2000)
            .emitWithAck('message', {
              room: rooms[i % rooms.length] as string,
              text: `${i}:${lane}:${n}`,
              clientId: `${lane}-${n}`,
            })
            .catch(() => undefined);
          if (ack?.ok) acked.push(ack.message);
          if (!ack) return;
        }
      }),
    );
    while (acked.length < 1500) await new Promise((resolve) => setTimeout(resolve, 5));
    first.child.kill('SIGKILL');
    killed = true;
    await once(first.child, 'exit');
    await Promise.all(senders);

    const second = await spawnServer({ CHATTER_DATA_DIR: dataDir });
    try {
      const token = await signToken({ sub: 'reader', name: 'Reader' });
      for (const room of rooms) {
        const stored = await wholeHistory(second.url, token, room);
        expectGapFreeAndUnique(stored);
        const bySeq = new Map(stored.map((m) => [m.seq, m]));
        for (const message of acked.filter((m) => m.room === room)) {
          expect(bySeq.get(message.seq)).toEqual(message);
        }
      }
    } finally {
      second.child.kill('SIGKILL');
      await once(second.child, 'exit');
    }
  }, 60_000);
});

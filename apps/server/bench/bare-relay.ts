/**
 * The ingest, fan-out and connections baseline: a bare Socket.IO relay with no storage, no auth
 * and no presence. `join` → socket.join + ack; `message` → io.to(room).emit + ack of a message
 * shaped like Chatter's (id, seq, author, createdAt), so both send the same bytes per delivery.
 * Started by the bench through lib/spawn.ts.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Server } from 'socket.io';
import { runHarness } from './lib/harness.js';
import { listenLocal } from './lib/listen.js';

type Ack = (response: unknown) => void;

await runHarness(async () => {
  const httpServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  const io = new Server(httpServer, { serveClient: false });
  let seq = 0;
  io.on('connection', (socket) => {
    socket.on('join', ({ room }: { room: string }, ack: Ack) => {
      void socket.join(room);
      ack({ ok: true, room, epoch: 'bare', head: 0, messages: [], hasMore: false });
    });
    socket.on('message', (payload: { room: string; text: string; clientId?: string }, ack: Ack) => {
      seq += 1;
      const message = {
        id: randomUUID(),
        room: payload.room,
        seq,
        text: payload.text,
        author: { id: 'bare-relay-user', name: 'Bare relay user' },
        createdAt: new Date().toISOString(),
        ...(payload.clientId === undefined ? {} : { clientId: payload.clientId }),
      };
      io.to(payload.room).emit('message', message);
      ack({ ok: true, message });
    });
  });
  const url = await listenLocal(httpServer);
  return { url, close: () => io.close() };
});

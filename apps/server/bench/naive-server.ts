/**
 * The "tutorial server", the ingest baseline: Express + Socket.IO + one synced better-sqlite3
 * INSERT per message (WAL, synchronous=FULL), seq = previous + 1 per room kept in memory, then
 * emit to the room and ack. No auth, no validation beyond the shape, no idempotency.
 * Data file: $NAIVE_DATA_DIR/naive.db. Started by the bench through lib/spawn.ts.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { Server } from 'socket.io';
import { runHarness } from './lib/harness.js';
import { listenLocal } from './lib/listen.js';

interface SendPayload {
  room: string;
  text: string;
  clientId?: string;
}

type Ack = (response: unknown) => void;

await runHarness(async () => {
  const dir = process.env.NAIVE_DATA_DIR;
  if (!dir) throw new Error('NAIVE_DATA_DIR is required');
  const db = new Database(path.join(dir, 'naive.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, room TEXT NOT NULL, seq INTEGER NOT NULL, author_id TEXT NOT NULL,
    author_name TEXT NOT NULL, text TEXT NOT NULL, client_id TEXT, created_at TEXT NOT NULL)`);
  const insert = db.prepare(
    'INSERT INTO messages (id, room, seq, author_id, author_name, text, client_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const heads = new Map<string, number>();

  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  const httpServer = http.createServer(app);
  const io = new Server(httpServer, { serveClient: false });
  io.on('connection', (socket) => {
    const author = { id: socket.id, name: `user-${socket.id.slice(0, 6)}` };
    socket.on('join', ({ room }: { room: string }, ack: Ack) => {
      void socket.join(room);
      ack({
        ok: true,
        room,
        epoch: 'naive',
        head: heads.get(room) ?? 0,
        messages: [],
        hasMore: false,
      });
    });
    socket.on('message', (payload: SendPayload, ack: Ack) => {
      if (typeof payload?.room !== 'string' || typeof payload.text !== 'string') {
        ack({ ok: false, error: { code: 'VALIDATION', message: 'room and text are required' } });
        return;
      }
      const seq = (heads.get(payload.room) ?? 0) + 1;
      heads.set(payload.room, seq);
      const message = {
        id: randomUUID(),
        room: payload.room,
        seq,
        text: payload.text,
        author,
        createdAt: new Date().toISOString(),
        clientId: payload.clientId,
      };
      const { id, room, text, createdAt, clientId } = message;
      insert.run(id, room, seq, author.id, author.name, text, clientId ?? null, createdAt);
      io.to(room).emit('message', message);
      ack({ ok: true, message });
    });
  });
  const url = await listenLocal(httpServer);
  return {
    url,
    close: async () => {
      await io.close();
      db.close();
    },
  };
});

/**
 * The history baseline: a plain Express handler over the same SQLite file Chatter reads,
 * `SELECT * FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?`, rows out as
 * JSON. The only auth is a check that a Bearer header is present. Reads $NAIVE_HISTORY_DB.
 * Started by the bench through lib/spawn.ts.
 */
import http from 'node:http';
import Database from 'better-sqlite3';
import express from 'express';
import { runHarness } from './lib/harness.js';
import { listenLocal } from './lib/listen.js';

await runHarness(async () => {
  const file = process.env.NAIVE_HISTORY_DB;
  if (!file) throw new Error('NAIVE_HISTORY_DB is required');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const page = db.prepare(
    'SELECT * FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  );
  const app = express();
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/api/messages', (req, res) => {
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    const room = String(req.query.room);
    const before = Number(req.query.before ?? Number.MAX_SAFE_INTEGER);
    const limit = Math.min(100, Number(req.query.limit ?? 50));
    res.json({ messages: page.all(room, before, limit).reverse() });
  });
  const httpServer = http.createServer(app);
  const url = await listenLocal(httpServer);
  return {
    url,
    close: async () => {
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
      db.close();
    },
  };
});

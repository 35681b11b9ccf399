import { describe, expect, it } from 'vitest';
import { MongoChatStore } from '../src/store/mongo-store.js';
import { connectAs, request, startTestServer, storedMessages } from './helpers.js';
import { dropDatabase, freshDatabaseUri, MONGODB_URI } from './store/mongo-test-db.js';

// The same server as everywhere else, on MongoDB instead of SQLite. `store/mongo-store.test.ts`
// says once that these are skipped when MONGODB_URI is unset.
describe.skipIf(!MONGODB_URI)('a server on MongoDB', () => {
  const startOnMongo = async (uri: string) => {
    const server = await startTestServer({ env: { MONGODB_URI: uri } });
    expect(server.server.store).toBeInstanceOf(MongoChatStore);
    return server;
  };

  it('serves health, messages and history from MongoDB, and keeps them across a restart', async () => {
    const uri = freshDatabaseUri();
    try {
      const first = await startOnMongo(uri);
      expect((await request(first.url, '/healthz')).status).toBe(200);
      const { socket, token } = await connectAs(first.url, 'Ada');
      const sent = await socket.emitWithAck('message', {
        room: 'general',
        text: 'over a socket',
        clientId: 'c-1',
      });
      expect(sent).toMatchObject({ ok: true, message: { seq: 1, clientId: 'c-1' } });
      const posted = await request(first.url, '/api/messages', {
        token,
        body: { room: 'general', text: 'over REST' },
      });
      expect(posted).toMatchObject({ status: 201, body: { message: { seq: 2 } } });
      const retried = await request(first.url, '/api/messages', {
        token,
        body: { room: 'general', text: 'over a socket', clientId: 'c-1' },
      });
      expect(retried.headers.get('idempotent-replayed')).toBe('true');
      expect(retried.body.message).toEqual(sent.ok ? sent.message : undefined);
      socket.disconnect();
      await first.close();

      const second = await startOnMongo(uri);
      const history = await storedMessages(second.url, token, 'general');
      expect(history.map((message) => [message.seq, message.text])).toEqual([
        [1, 'over a socket'],
        [2, 'over REST'],
      ]);
      const after = await request(second.url, '/api/messages', {
        token,
        body: { room: 'general', text: 'after restart' },
      });
      expect(after.body.message.seq).toBe(3);
    } finally {
      await dropDatabase(uri);
    }
  });
});

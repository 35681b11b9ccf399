/** Guest sessions from one address, and what many guests can send. */
import type { Socket } from 'socket.io-client';
import { connectSocket, pool } from '../../bench/lib/clients.js';
import { type AbuseCase, count, verdict } from '../lib/case.js';
import { ackCode, request, Tally } from '../lib/http.js';

const SESSIONS = 20_000;
const SESSIONS_PER_MINUTE = 20;

export const guestSessionLoop: AbuseCase = {
  name: 'sessions',
  title: `${count(SESSIONS)} guest sessions from one address in a loop (CHATTER_SESSIONS_PER_MINUTE=${SESSIONS_PER_MINUTE})`,
  env: { CHATTER_GUESTS: 'true', CHATTER_SESSIONS_PER_MINUTE: String(SESSIONS_PER_MINUTE) },
  async run({ url }) {
    const statuses = new Tally();
    await pool(SESSIONS, 32, async (i) => {
      statuses.add((await request(url, '/api/session', { json: { name: `guest ${i}` } })).status);
    });
    const created = statuses.get(201);
    return verdict(`${statuses}`, {
      [`more than ${SESSIONS_PER_MINUTE} sessions were created`]: created <= SESSIONS_PER_MINUTE,
      'the others were not all 429': statuses.get(429) === SESSIONS - created,
    });
  },
};

const GUESTS = 200;
const MESSAGES_EACH = 200;
const MESSAGES_PER_MINUTE = 120;

export const guestsTimesMessages: AbuseCase = {
  name: 'guest-messages',
  title: `${GUESTS} guests × ${MESSAGES_EACH} messages each from one address, against the per-user limit (${MESSAGES_PER_MINUTE}/min, ${SESSIONS_PER_MINUTE} sessions/min)`,
  env: {
    CHATTER_GUESTS: 'true',
    CHATTER_SESSIONS_PER_MINUTE: String(SESSIONS_PER_MINUTE),
    CHATTER_MESSAGES_PER_MINUTE: String(MESSAGES_PER_MINUTE),
  },
  async run({ url }) {
    const sessions = new Tally();
    const tokens: string[] = [];
    await pool(GUESTS, 16, async (i) => {
      const answer = await request(url, '/api/session', { json: { name: `guest ${i}` } });
      sessions.add(answer.status);
      if (answer.status === 201) tokens.push(answer.body.token);
    });
    const acks = new Tally();
    const sockets: Socket[] = [];
    await pool(tokens.length, 16, async (i) => {
      const socket = await connectSocket(url, tokens[i]);
      sockets.push(socket);
      await socket.timeout(5000).emitWithAck('join', { room: 'lobby' });
      for (let m = 0; m < MESSAGES_EACH; m++) {
        acks.add(
          ackCode(
            await socket
              .timeout(5000)
              .emitWithAck('message', { room: 'lobby', text: `guest ${i} message ${m}` }),
          ),
        );
      }
    });
    for (const socket of sockets) socket.close();
    const ceiling = SESSIONS_PER_MINUTE * MESSAGES_PER_MINUTE;
    return verdict(
      `sessions: ${sessions}; messages: ${acks || 'none sent'} (ceiling ${count(ceiling)})`,
      {
        [`more than ${count(ceiling)} messages were accepted within the minute`]:
          acks.get('ok') <= ceiling,
      },
    );
  },
};

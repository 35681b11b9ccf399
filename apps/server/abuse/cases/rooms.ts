/** One connection joining room after room. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { connectSocket, signToken } from '../../bench/lib/clients.js';
import { type AbuseCase, count, verdict } from '../lib/case.js';
import { ackCode, Tally } from '../lib/http.js';

const ROOMS = 50_000;
const MAX_ROOMS = 100;
const IN_FLIGHT = 64;

/** Rows the SQLite file keeps for good, read from the file itself. */
const storedRows = (dataDir: string): { rooms: number; users: number } => {
  const file = readdirSync(dataDir).find((name) => /\.(db|sqlite3?)$/.test(name));
  if (!file) return { rooms: Number.NaN, users: Number.NaN };
  const db = new Database(path.join(dataDir, file), { readonly: true, fileMustExist: true });
  try {
    const rows = (table: string) =>
      (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { rooms: rows('rooms'), users: rows('users') };
  } finally {
    db.close();
  }
};

export const manyRooms: AbuseCase = {
  name: 'rooms',
  title: `one socket joining ${count(ROOMS)} rooms (CHATTER_MAX_ROOMS_PER_CONNECTION=${MAX_ROOMS}); permanent rows counted`,
  // New rooms per minute are a limit of their own (30 by default); lifted here so the cap per
  // connection is what the joins run into.
  env: {
    CHATTER_MAX_ROOMS_PER_CONNECTION: String(MAX_ROOMS),
    CHATTER_ROOMS_PER_MINUTE: '1000000',
  },
  async run({ url, dataDir }) {
    const socket = await connectSocket(url, await signToken('collector'));
    const acks = new Tally();
    let next = 0;
    const worker = async () => {
      while (next < ROOMS && socket.connected) {
        const room = `room-${next++}`;
        try {
          acks.add(ackCode(await socket.timeout(10_000).emitWithAck('join', { room })));
        } catch {
          acks.add('no answer');
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const disconnected = !socket.connected;
    socket.close();
    const rows = storedRows(dataDir);
    return verdict(
      `${count(next)} joins sent, acks: ${acks}; ${disconnected ? 'disconnected' : 'still connected'}; stored rows: ${rows.rooms} rooms, ${rows.users} users`,
      {
        [`more than ${MAX_ROOMS} joins succeeded`]: acks.get('ok') <= MAX_ROOMS,
        'rooms were stored for joins alone': !(rows.rooms > MAX_ROOMS),
      },
    );
  },
};

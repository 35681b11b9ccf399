/** Cheap events sent in bulk: typing and away toggles, history reads. */
import type { Socket } from 'socket.io-client';
import { call, connectSocket, signToken } from '../../bench/lib/clients.js';
import { type AbuseCase, count, verdict } from '../lib/case.js';
import { ackCode, request, Tally } from '../lib/http.js';

/** "Far fewer": at most this share of what was sent is relayed or answered. */
const FAR_FEWER = 0.05;

interface Offender {
  socket: Socket;
  /** The `closing` reason the server sent before disconnecting it, if any. */
  closing: () => string | undefined;
  disconnected: Promise<string>;
}

const offender = async (url: string, id: string, room?: string): Promise<Offender> => {
  const socket = await connectSocket(url, await signToken(id));
  if (room) await call(socket, 'join', { room });
  let closing: string | undefined;
  socket.on('closing', (reason: { code: string; message: string }) => {
    closing = `${reason.code} "${reason.message}"`;
  });
  const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
  return { socket, closing: () => closing, disconnected };
};

/** Whether the offender was disconnected, once it is or has had an acknowledged round trip. */
const settled = async ({ socket, disconnected }: Offender): Promise<boolean> => {
  const roundTrip = socket.connected
    ? socket
        .timeout(10_000)
        .emitWithAck('leave', { room: 'nowhere' })
        .catch(() => undefined)
    : undefined;
  await Promise.race([disconnected, roundTrip]);
  return !socket.connected;
};

const observer = async (url: string, room: string) => {
  const socket = await connectSocket(url, await signToken('observer'));
  await call(socket, 'join', { room });
  return socket;
};

/** Lets trailing relays (held back by a once-a-second interval) arrive before counting. */
const relayInterval = () => new Promise((resolve) => setTimeout(resolve, 1500));

const disconnectChecks = (o: Offender, wasDisconnected: boolean) => ({
  'the offender was not disconnected': wasDisconnected,
  'the offender was not told why (closing)': o.closing() !== undefined,
});

const TOGGLES = 20_000;

export const typingToggles: AbuseCase = {
  name: 'typing',
  title: `${count(TOGGLES)} typing toggles from one connection, relays counted by a room-mate`,
  async run({ url }) {
    const watcher = await observer(url, 'chatty');
    let relayed = 0;
    watcher.on('typing', () => relayed++);
    const o = await offender(url, 'typist', 'chatty');
    for (let i = 0; i < TOGGLES && o.socket.connected; i++) {
      o.socket.emit('typing', { room: 'chatty', typing: i % 2 === 0 });
    }
    const wasDisconnected = await settled(o);
    await relayInterval();
    watcher.close();
    o.socket.close();
    return verdict(
      `${count(relayed)} of ${count(TOGGLES)} relayed; offender ${wasDisconnected ? `disconnected, told ${o.closing() ?? 'nothing'}` : 'still connected'}`,
      {
        'far from all were relayed': relayed <= TOGGLES * FAR_FEWER,
        ...disconnectChecks(o, wasDisconnected),
      },
    );
  },
};

export const awayToggles: AbuseCase = {
  name: 'away',
  title: `${count(TOGGLES)} away toggles from one connection, presence frames counted by a room-mate`,
  async run({ url }) {
    const watcher = await observer(url, 'office');
    let frames = 0;
    watcher.on('presence', () => frames++);
    watcher.on('presences', () => frames++);
    const o = await offender(url, 'flicker', 'office');
    const acks = new Tally();
    const answered: Promise<void>[] = [];
    for (let i = 0; i < TOGGLES && o.socket.connected; i++) {
      answered.push(
        o.socket
          .timeout(10_000)
          .emitWithAck('away', { away: i % 2 === 0 })
          .then((ack) => acks.add(ackCode(ack)))
          .catch(() => acks.add('no answer')),
      );
    }
    const wasDisconnected = await settled(o);
    await Promise.all(answered);
    await relayInterval();
    watcher.close();
    o.socket.close();
    return verdict(
      `${count(frames)} presence frames at the room-mate; acks: ${acks}; offender ${wasDisconnected ? `disconnected, told ${o.closing() ?? 'nothing'}` : 'still connected'}`,
      {
        'far from all were announced': frames <= TOGGLES * FAR_FEWER,
        ...disconnectChecks(o, wasDisconnected),
      },
    );
  },
};

const READS = 5000;
const PAGE = 100;

export const historyReads: AbuseCase = {
  name: 'history',
  title: `${count(READS)} history reads of ${PAGE} × 2 KB messages from one connection`,
  async run({ url }) {
    const writer = await signToken('archivist');
    const text = 'x'.repeat(2000);
    for (let i = 0; i < PAGE; i++) {
      await request(url, '/api/messages', { token: writer, json: { room: 'archive', text } });
    }
    const o = await offender(url, 'reader');
    const acks = new Tally();
    let bytes = 0;
    const answered: Promise<void>[] = [];
    for (let i = 0; i < READS && o.socket.connected; i++) {
      answered.push(
        o.socket
          .timeout(30_000)
          .emitWithAck('history', { room: 'archive', limit: PAGE })
          .then((ack: { ok: boolean; messages?: unknown[] }) => {
            acks.add(ackCode(ack));
            if (ack.ok) bytes += JSON.stringify(ack.messages).length;
          })
          .catch(() => acks.add('no answer')),
      );
    }
    const wasDisconnected = await settled(o);
    await Promise.all(answered);
    o.socket.close();
    return verdict(
      `acks: ${acks}; ${(bytes / 2 ** 20).toFixed(1)} MiB answered; offender ${wasDisconnected ? `disconnected, told ${o.closing() ?? 'nothing'}` : 'still connected'}`,
      {
        'far from all were answered': acks.get('ok') <= READS * FAR_FEWER,
        ...disconnectChecks(o, wasDisconnected),
      },
    );
  },
};

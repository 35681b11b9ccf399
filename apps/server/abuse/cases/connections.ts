/** Many sockets with one token, and connect/disconnect churn. */
import type { Socket } from 'socket.io-client';
import { call, connectSocket, pool, signToken } from '../../bench/lib/clients.js';
import { type AbuseCase, count, verdict } from '../lib/case.js';
import { handshake } from '../lib/handshake.js';
import { Tally } from '../lib/http.js';

const SOCKETS = 2000;
const PER_USER = 20;

export const socketsWithOneToken: AbuseCase = {
  name: 'sockets',
  title: `${count(SOCKETS)} sockets with one token (CHATTER_MAX_CONNECTIONS_PER_USER=${PER_USER}), presence frames counted by a room-mate`,
  env: { CHATTER_MAX_CONNECTIONS_PER_USER: String(PER_USER) },
  async run({ url }) {
    const observer = await connectSocket(url, await signToken('observer'));
    await call(observer, 'join', { room: 'team' });
    let presenceFrames = 0;
    observer.on('presence', () => presenceFrames++);
    observer.on('presences', () => presenceFrames++);
    const token = await signToken('hoarder');
    const outcomes = new Tally();
    const open: Socket[] = [];
    await pool(SOCKETS, 50, async () => {
      const attempt = await handshake(url, token);
      if (!attempt.connected) {
        outcomes.add(attempt.refusal);
        return;
      }
      open.push(attempt.socket);
      outcomes.add('connected');
      await call(attempt.socket, 'join', { room: 'team' });
    });
    for (const socket of open) socket.close();
    // The last offline transition goes out after the grace period.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    observer.close();
    const connected = outcomes.get('connected');
    return verdict(`${outcomes}; ${presenceFrames} presence frames at the room-mate`, {
      [`more than ${PER_USER} connections were accepted`]: connected <= PER_USER,
      'the refusals were not all connect_error RATE_LIMITED':
        outcomes.get('connect_error RATE_LIMITED') === SOCKETS - connected,
      'presence frames grew with the connections': presenceFrames <= 10,
    });
  },
};

const WARM_UP = 2000;
const CYCLES = 32_000;
const MAX_BYTES_PER_CYCLE = 40;

export const connectionChurn: AbuseCase = {
  name: 'churn',
  title: `${count(CYCLES)} connect/disconnect cycles (heap after GC; the leak was ~170 B per cycle)`,
  env: { CHATTER_PRESENCE_GRACE_MS: '0' },
  // See test/connection-churn.test.ts: without these the JIT's warm-up drowns a small leak.
  nodeArgs: ['--no-opt', '--no-sparkplug', '--no-flush-bytecode'],
  async run(server) {
    const token = await signToken('churner');
    const churn = (cycles: number) =>
      pool(cycles, 4, async () => {
        const socket = await connectSocket(server.url, token);
        socket.disconnect();
      });
    const settledHeap = async () => {
      for (;;) {
        const report = await server.report();
        if (report.counters.connections === 4) return report.heapUsed; // the bystander's
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await churn(WARM_UP);
    const before = await settledHeap();
    await churn(CYCLES);
    const after = await settledHeap();
    const perCycle = (after - before) / CYCLES;
    return verdict(
      `heap after GC ${(before / 2 ** 20).toFixed(2)} → ${(after / 2 ** 20).toFixed(2)} MiB: ${perCycle.toFixed(1)} B per cycle`,
      {
        [`the heap grew by ${MAX_BYTES_PER_CYCLE} B or more per cycle`]:
          perCycle < MAX_BYTES_PER_CYCLE,
      },
    );
  },
};

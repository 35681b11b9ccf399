/** Clients that stop reading while their room is flooded. */
import { call, connectSocket, signToken } from '../../bench/lib/clients.js';
import { StalledClient } from '../../test/support/stalled-client.js';
import { type AbuseCase, count, verdict } from '../lib/case.js';
import { mib, watchRss } from '../lib/memory.js';

const STALLED = 10;
const PER_SECOND = 300;
const SECONDS = 15;
// 4,000 emoji of 4 bytes: a 16 KB message.
const TEXT = '😀'.repeat(4000);
const ROOM = 'flooded';
// The default CHATTER_MAX_BUFFERED_BYTES.
const LIMIT_MIB = 32;

export const slowConsumers: AbuseCase = {
  name: 'slow-consumers',
  title: `${STALLED} websockets that stop reading while their room gets ${PER_SECOND} × 16 KB messages/s for ${SECONDS} s (CHATTER_MAX_BUFFERED_BYTES default, ${LIMIT_MIB} MiB)`,
  // The flood is the setting, not the abuse: its sender is not the one to limit here.
  env: { CHATTER_MESSAGES_PER_MINUTE: '1000000' },
  async run({ url, pid, report, counters }) {
    const stalled = await Promise.all(
      Array.from({ length: STALLED }, async (_, i) => {
        const client = await StalledClient.connect(url, await signToken(`stalled-${i}`));
        await client.call('join', { room: ROOM });
        client.stopReading();
        return client;
      }),
    );
    const reader = await connectSocket(url, await signToken('reader'));
    await call(reader, 'join', { room: ROOM });
    let received = 0;
    reader.on('message', () => received++);
    const flooder = await connectSocket(url, await signToken('flooder'));
    await call(flooder, 'join', { room: ROOM });

    const before = mib((await report()).rss);
    const openBefore = (await counters()).connections ?? 0;
    const rss = watchRss(pid);
    const started = performance.now();
    // When the server's open connections first dropped by each stalled client (a stalled client
    // cannot tell: it reads nothing, not even the end of its connection).
    const closedAfter: number[] = [];
    let sent = 0;
    let refused = 0;
    const sends: Promise<void>[] = [];
    // Paced by the clock: PER_SECOND a second whatever the server does, as the load.
    while (performance.now() - started < SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * PER_SECOND);
      for (; sent < due; sent++) {
        sends.push(
          flooder
            .timeout(60_000)
            .emitWithAck('message', { room: ROOM, text: TEXT })
            .then((ack: { ok: boolean }) => {
              if (!ack.ok) refused++;
            })
            .catch(() => {
              refused++;
            }),
        );
      }
      const closed = openBefore - ((await counters()).connections ?? openBefore);
      while (closedAfter.length < closed) closedAfter.push((performance.now() - started) / 1000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(sends);
    const floodSeconds = (performance.now() - started) / 1000;
    const peak = rss.stop() - before;
    const expected = sent - refused;
    const deadline = Date.now() + 30_000;
    while (received < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const client of stalled) client.destroy();
    reader.close();
    flooder.close();
    const bound = STALLED * LIMIT_MIB;
    // Bounded by the limit, not by time: the last third of the flood needs no more memory than
    // the first two thirds did. Without the bound RSS climbs with every second of it.
    const early = rss.peak(0, (SECONDS * 1000 * 2) / 3);
    const late = rss.peak((SECONDS * 1000 * 2) / 3);
    const closedDuring = Math.min(closedAfter.length, STALLED);
    const when =
      closedAfter.length > 0
        ? ` (after ${closedAfter[0]?.toFixed(1)}–${closedAfter.at(-1)?.toFixed(1)} s)`
        : '';
    return verdict(
      `${count(sent)} messages (${refused} refused) in ${floodSeconds.toFixed(1)} s; stalled closed during the flood: ${closedDuring}/${STALLED}${when}; reader got ${count(received)}/${count(expected)}; RSS ${before.toFixed(0)} MiB, +${peak.toFixed(0)} at most; highest in the first ${(SECONDS * 2) / 3} s ${early.toFixed(0)}, in the last ${SECONDS / 3} s ${late.toFixed(0)} MiB`,
      {
        'stalled connections stayed open through the flood': closedDuring === STALLED,
        [`RSS grew by more than ${bound} MiB (${STALLED} × the limit)`]: peak <= bound,
        [`RSS kept growing: the last ${SECONDS / 3} s needed more than the first ${(SECONDS * 2) / 3} s`]:
          late <= early + LIMIT_MIB / 2,
        'the reading client missed messages': received === expected,
      },
    );
  },
};

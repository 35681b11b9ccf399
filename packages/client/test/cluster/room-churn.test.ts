import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.js';
import { FAST_RECONNECTION } from '../support/fast-options.js';
import { joinAs, type Participant } from '../support/participants.js';
import type { ServerProcess } from '../support/server-process.js';
import { waitFor } from '../support/wait.js';

/**
 * A node hears a room's broadcasts from other nodes only while it is subscribed to the room's
 * Redis channel, which it drops when its last socket leaves the room and takes again when one
 * joins. One client leaving as another on the same node joins puts the two back to back; the
 * joiner must still hear what is said on the other node, live.
 */
const cluster = new Cluster({ nodes: 2 });
const participants: Participant[] = [];

beforeAll(() => cluster.start(), 60_000);
afterEach(() => {
  for (const { chat } of participants.splice(0)) chat.close();
});
afterAll(() => cluster.dispose());

/** Enough tries that a race lost one time in three shows nearly every time. */
const TRIES = 20;
/** A live broadcast takes milliseconds; this is only how long a lost one is waited for. */
const LIVE_DELIVERY_MS = 3000;

describe('a room left and joined at once on one node', () => {
  it('still hears the other node, live', async () => {
    const [first, second] = cluster.nodes as [ServerProcess, ServerProcess];
    const leaver = await joinAs(first, second.url, 'leaver', 'lobby', FAST_RECONNECTION);
    const joiner = await joinAs(first, second.url, 'joiner', 'lobby', FAST_RECONNECTION);
    participants.push(leaver, joiner);

    for (let attempt = 1; attempt <= TRIES; attempt++) {
      const roomName = `churn-${attempt}`;
      const leaverRoom = await leaver.chat.join(roomName);
      const [, joinerRoom] = await Promise.all([leaverRoom.leave(), joiner.chat.join(roomName)]);
      const said = await first.post(roomName, `said on the first node, try ${attempt}`);
      await waitFor(
        `try ${attempt}: the message from the first node, live`,
        () => joinerRoom.messages.some((message) => message.id === said.id),
        LIVE_DELIVERY_MS,
      ).catch(() => undefined);
      expect(
        joinerRoom.messages.map(({ seq }) => seq),
        `try ${attempt}: the joiner missed a broadcast from the first node`,
      ).toEqual([said.seq]);
      await joinerRoom.leave();
    }
  }, 120_000);
});

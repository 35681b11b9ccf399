import type { Message } from '@chatter/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.js';
import { NginxProcess } from '../support/nginx-process.js';
import {
  allHold,
  joinAs,
  type Participant,
  timelines,
  untilAllHold,
} from '../support/participants.js';
import type { ServerProcess } from '../support/server-process.js';
import { waitFor } from '../support/wait.js';
import { FaultyProxy } from '../support/ws-proxy.js';

/**
 * Two nodes behind the repository's nginx configuration, SDK clients connecting to nginx with
 * the SDK's default transports. One node dies with SIGKILL: nothing is said to its clients, they
 * find their connection gone, and nginx sends their reconnection to the node that is left.
 *
 * Between nginx and each node is a proxy that passes everything, so that the test can lose the
 * answers of the node about to die: a send it stored but never acknowledged is the one a
 * client must not store twice when it sends it again to another node.
 */
const cluster = new Cluster({ nodes: 2, env: { CHATTER_TRUST_PROXY: 'loopback' } });
const links = new Map<ServerProcess, FaultyProxy>();
const nginx = new NginxProcess(() =>
  cluster.nodes.map((node) => Number(new URL(linkTo(node).url).port)),
);
const participants: Participant[] = [];

const linkTo = (node: ServerProcess) => {
  const link = links.get(node);
  if (!link) throw new Error(`no proxy to the node on port ${node.port}`);
  return link;
};

beforeAll(async () => {
  await cluster.start();
  for (const node of cluster.nodes) {
    const link = new FaultyProxy(() => node.port);
    await link.listen();
    links.set(node, link);
  }
  await nginx.start();
}, 60_000);
afterEach(() => {
  for (const { chat } of participants.splice(0)) chat.close();
});
afterAll(async () => {
  await nginx.dispose();
  await Promise.all([...links.values()].map((link) => link.close()));
  await cluster.dispose();
});

const ROOM = 'behind-nginx';
/** Enough for nginx's round-robin to have put two on each node, several times over. */
const MOST_CLIENTS = 12;

/** The node `participant` is connected to now, by the nodes' logs; waits for the log line. */
const nodeOf = async (participant: Participant, among: readonly ServerProcess[]) => {
  let nodes: ServerProcess[] = [];
  await waitFor(`${participant.userId}'s connection in a node's log`, () => {
    nodes = cluster.nodesOf(participant.userId, among);
    return nodes.length === 1;
  });
  return nodes[0] as ServerProcess;
};

describe('a node killed behind nginx', () => {
  it('moves its clients to the node left, which gets their queued sends once and fills their gaps', async () => {
    const [victim, survivor] = cluster.nodes as [ServerProcess, ServerProcess];
    const byNode = new Map<ServerProcess, Participant[]>([
      [victim, []],
      [survivor, []],
    ]);
    const enough = () => [...byNode.values()].every((group) => group.length >= 2);
    while (!enough()) {
      expect(participants.length, 'nginx sent every client to one node').toBeLessThan(MOST_CLIENTS);
      const participant = await joinAs(
        victim,
        nginx.url,
        `user-${participants.length + 1}`,
        ROOM,
        // Reconnecting sooner than the SDK's default 1–5 s; the transports stay the default.
        { reconnectionDelayMs: 50, reconnectionDelayMaxMs: 250 },
      );
      participants.push(participant);
      byNode.get(await nodeOf(participant, cluster.nodes))?.push(participant);
    }
    const dropped = byNode.get(victim) ?? [];
    const staying = byNode.get(survivor) ?? [];

    // Everyone says hello: each message crosses from its node to the other through Redis.
    await Promise.all(participants.map(({ userId, room }) => room.send(`hello from ${userId}`)));
    let history = await survivor.history(ROOM);
    await waitFor('the greetings on every client', () => allHold(participants, history));
    const fromStaying = new Set(staying.map(({ userId }) => userId));
    for (const { room } of dropped) {
      expect(room.messages.filter(({ author }) => fromStaying.has(author.id))).toHaveLength(
        staying.length,
      );
    }

    // Each dropped client sends, and the node that is about to die stores the message but its
    // answer never arrives. The node dies; its clients send again the moment they see their
    // connection go, and once more while still reconnecting: all of it waits in their outboxes
    // for a node to take it.
    const queued: Array<{ text: string; result: Promise<Message> }> = [];
    const queue = (room: Participant['room'], text: string) => {
      queued.push({ text, result: room.send(text) });
    };
    linkTo(victim).loseReplies = true;
    for (const { userId, room } of dropped) queue(room, `${userId} unanswered`);
    await waitFor('the unanswered sends to be stored', async () => {
      const stored = new Set((await survivor.history(ROOM)).map(({ text }) => text));
      return queued.every(({ text }) => stored.has(text));
    });
    const droppedSeen = dropped.map(
      ({ userId, chat, room }) =>
        new Promise<void>((resolve) => {
          const stop = chat.on('status', (status) => {
            if (status === 'connected') return;
            stop();
            queue(room, `${userId} at the drop`);
            setImmediate(() => {
              queue(room, `${userId} while reconnecting`);
              resolve();
            });
          });
        }),
    );
    await victim.stop('SIGKILL');
    // Its address refuses connections now, as a dead machine's would, and nginx skips it.
    await linkTo(victim).close();
    await Promise.all(droppedSeen);
    const staySends = staying.map(({ userId, room }) => room.send(`${userId} after the drop`));

    for (const participant of dropped) {
      expect(await nodeOf(participant, [survivor])).toBe(survivor);
    }
    const results = await Promise.all(queued.map(({ result }) => result));
    await Promise.all(staySends);
    await Promise.all(participants.map(({ userId, room }) => room.send(`${userId} once back`)));

    history = await survivor.history(ROOM);
    await untilAllHold(participants, history);
    expect(timelines(participants)).toEqual(
      Object.fromEntries(participants.map(({ userId }) => [userId, history.map(({ seq }) => seq)])),
    );
    for (const { room } of participants) {
      expect(room.messages).toEqual(history);
      expect(room.pending).toEqual([]);
    }
    // Stored once each, though the node that died had stored the first ones.
    for (const [index, { text }] of queued.entries()) {
      const stored = history.filter((message) => message.text === text);
      expect(stored).toEqual([results[index]]);
    }
    expect(queued).toHaveLength(dropped.length * 3);
  }, 90_000);
});

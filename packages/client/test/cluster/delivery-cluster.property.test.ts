import type { Message } from '@chatter/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatterClient } from '../../src/index.js';
import { Cluster } from '../support/cluster.js';
import {
  action,
  healNetwork,
  IMPATIENT_CLIENT,
  isTimeline,
  playFault,
} from '../support/delivery-faults.js';
import { untilAllHold } from '../support/participants.js';
import type { ServerProcess } from '../support/server-process.js';
import { FaultyProxy } from '../support/ws-proxy.js';

/**
 * delivery.property.test.ts on a cluster: clients spread over two nodes, each behind a proxy of
 * its own that plays that test's faults on its connection alone, while others post to either
 * node and every broadcast to a client on the other node crosses Redis. Whatever happens, once
 * the network settles every client's room holds exactly the store's history.
 */
const CLIENTS = 4;
const cluster = new Cluster({ nodes: 2 });
/** Client `i`'s own proxy, to node `i % 2`. */
const proxies: FaultyProxy[] = [];
const nodeOf = (client: number) => cluster.nodes[client % cluster.nodes.length] as ServerProcess;

beforeAll(async () => {
  await cluster.start();
  for (let client = 0; client < CLIENTS; client++) {
    const node = nodeOf(client);
    const proxy = new FaultyProxy(() => node.port);
    await proxy.listen();
    proxies.push(proxy);
  }
}, 60_000);
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await cluster.dispose();
});

/** A step taken by one client, or on one client's connection; a post goes to its node. */
const step = fc.record({ client: fc.nat({ max: CLIENTS - 1 }), action });

let run = 0;

describe('delivery under random faults on a cluster', () => {
  it('every client ends with the store history, every send stored once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const roomName = `cluster-prop-${++run}`;
        const subjects = proxies.map((proxy, client) => {
          const userId = `subject-${client}`;
          const chat = createChatterClient({
            url: proxy.url,
            getToken: () => nodeOf(client).token({ id: userId, name: userId }),
            ...IMPATIENT_CLIENT,
          });
          return { userId, chat, proxy };
        });
        try {
          const participants = await Promise.all(
            subjects.map(async (subject) => {
              const room = await subject.chat.join(roomName);
              const seen: Message[] = [];
              const watched = { ...subject, room, seen, brokenTimeline: false };
              room.on('message', (message) => seen.push(message));
              room.on('change', () => {
                if (!isTimeline(room.messages)) watched.brokenTimeline = true;
              });
              return watched;
            }),
          );

          const sends = participants.map(
            () => [] as Array<{ text: string; result: Promise<Message> }>,
          );
          for (const { client, action: taken } of steps) {
            const participant = participants[client];
            if (!participant) continue;
            switch (taken.kind) {
              case 'send':
                sends[client]?.push({
                  text: taken.text,
                  result: participant.room.send(taken.text),
                });
                break;
              case 'post':
                await nodeOf(client).post(roomName, taken.text);
                break;
              default:
                await playFault(participant.proxy, taken);
            }
          }

          const results = await Promise.all(
            sends.map((own) => Promise.all(own.map((send) => send.result))),
          );
          // A lost broadcast shows as a gap when the next message arrives (or on reconnection).
          for (const proxy of proxies) proxy.loseMessageEvents = 0;
          await nodeOf(0).post(roomName, 'the last word');
          const history = await nodeOf(1).history(roomName);
          await untilAllHold(participants, history);

          for (const [client, participant] of participants.entries()) {
            const { userId, room } = participant;
            expect({ userId, messages: room.messages }).toEqual({ userId, messages: history });
            expect(participant.seen).toEqual(history);
            expect(participant.brokenTimeline).toBe(false);
            expect(room.pending).toEqual([]);
            // Each send resolved with its own stored message, stored once, in the order sent.
            const own = results[client] ?? [];
            expect(own.map((message) => message.text)).toEqual(
              (sends[client] ?? []).map((send) => send.text),
            );
            expect(history.filter((message) => message.author.id === userId)).toEqual(own);
          }
        } finally {
          for (const { chat, proxy } of subjects) {
            chat.close();
            healNetwork(proxy);
          }
        }
      }),
      // Each run connects four clients through two nodes: fewer runs than the one-server test.
      { numRuns: 15, endOnFailure: true },
    );
  }, 240_000);
});

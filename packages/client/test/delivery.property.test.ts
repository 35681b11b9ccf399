import type { Message } from '@chatter/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatterClient } from '../src/index.js';
import {
  healNetwork,
  IMPATIENT_CLIENT,
  isOrdered,
  type LogAction,
  logAction,
  playFault,
} from './support/delivery-faults.js';
import { POSTER, ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

/**
 * Random interleavings of sending, replying, editing, deleting and reacting, other people
 * posting, editing and reacting, dropped connections, outages, lost acknowledgements, lost
 * broadcasts (messages and changes) and duplicated deliveries. Whatever happens, once the
 * network settles the room holds exactly the server's messages in their latest state, every
 * send and change resolved, and the app saw each entry of the log once, in order.
 */
const server = new ServerProcess();
let proxy: FaultyProxy;

beforeAll(async () => {
  await server.start();
  proxy = new FaultyProxy(() => server.port);
  await proxy.listen();
});
afterAll(async () => {
  await proxy.close();
  await server.dispose();
});

const SUBJECT = { id: 'subject', name: 'Subject' };

let run = 0;

/** `list[pick]`, wrapping around; undefined for an empty list. */
const choose = <T>(list: readonly T[], pick: number): T | undefined => list[pick % list.length];

describe('delivery under random faults', () => {
  it('room.messages always ends equal to the server log, with every send and change applied once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(logAction, { minLength: 1, maxLength: 25 }), async (actions) => {
        const roomName = `prop-${++run}`;
        const chat = createChatterClient({
          url: proxy.url,
          getToken: () => server.token(SUBJECT),
          ...IMPATIENT_CLIENT,
        });
        try {
          const room = await chat.join(roomName);
          const seen: string[] = [];
          let brokenTimeline = false;
          room.on('message', (message) => seen.push(`${message.seq} message`));
          for (const event of ['edited', 'deleted', 'reaction'] as const) {
            room.on(event, (change) => seen.push(`${change.seq} ${change.type}`));
          }
          room.on('change', () => {
            if (!isOrdered(room.messages)) brokenTimeline = true;
          });

          const sends: Array<{ text: string; result: Promise<Message> }> = [];
          const changes: Array<Promise<Message>> = [];
          // What the test knows is stored: the client's sends once resolved, others' posts.
          const ownStored: Message[] = [];
          const othersStored: Message[] = [];
          // Messages with a deletion queued: editing, reacting or replying to one would be
          // refused (NOT_FOUND), which is not what this test is about.
          const gone = new Set<string>();
          const live = (messages: readonly Message[]) =>
            messages.filter((message) => !gone.has(message.id));
          const send = (text: string, replyTo?: string) => {
            const result = room.send(text, replyTo === undefined ? {} : { replyTo });
            sends.push({ text, result });
            void result.then(
              (message) => ownStored.push(message),
              () => undefined,
            );
          };
          const step = async (taken: LogAction) => {
            switch (taken.kind) {
              case 'send':
                return send(taken.text);
              case 'post':
                othersStored.push(await server.post(roomName, taken.text));
                return;
              case 'reply': {
                const parent = choose(live([...ownStored, ...othersStored]), taken.pick);
                return send(taken.text, parent?.id);
              }
              case 'edit': {
                const target = choose(live(ownStored), taken.pick);
                if (target) changes.push(room.edit(target.id, taken.text));
                return;
              }
              case 'delete': {
                const target = choose(live(ownStored), taken.pick);
                if (!target) return;
                gone.add(target.id);
                changes.push(room.delete(target.id));
                return;
              }
              case 'react': {
                const target = choose(live([...ownStored, ...othersStored]), taken.pick);
                if (!target) return;
                const { emoji } = taken;
                changes.push(
                  taken.add ? room.react(target.id, emoji) : room.unreact(target.id, emoji),
                );
                return;
              }
              case 'othersEdit': {
                const target = choose(othersStored, taken.pick);
                if (target) await server.edit(target.id, taken.text);
                return;
              }
              case 'othersReact': {
                const target = choose(live([...ownStored, ...othersStored]), taken.pick);
                if (target) await server.react(target.id, taken.emoji, POSTER, taken.add);
                return;
              }
              default:
                return playFault(proxy, taken);
            }
          };
          // A room with a little history, so that changes have something to change from the start.
          ownStored.push(await room.send('a first message'));
          othersStored.push(await server.post(roomName, 'a first post'));
          for (const taken of actions) await step(taken);

          const results = [ownStored[0], ...(await Promise.all(sends.map((each) => each.result)))];
          await Promise.all(changes);
          // A lost broadcast shows as a gap when the next entry arrives (or on reconnection).
          proxy.loseMessageEvents = 0;
          const lastWord = await server.post(roomName, 'the last word');
          await waitFor('the room to reach the last word', () =>
            room.messages.some((message) => message.id === lastWord.id),
          );
          // Anything the server sent before answering this has been handled when it resolves.
          await chat.rooms();

          const log = await server.log(roomName);
          expect(room.messages).toEqual(log.messages);
          // Each entry of the log reported once, in order: messages and changes alike.
          const entries = [
            ...log.messages.map((message) => ({
              seq: message.seq,
              line: `${message.seq} message`,
            })),
            ...log.changes.map((change) => ({
              seq: change.seq,
              line: `${change.seq} ${change.type}`,
            })),
          ].sort((a, b) => a.seq - b.seq);
          expect(seen).toEqual(entries.map((entry) => entry.line));
          expect(brokenTimeline).toBe(false);
          expect(room.pending).toEqual([]);
          // Each send resolved with its own stored message, stored once, in the order sent.
          expect(results.map((message) => message?.text)).toEqual([
            'a first message',
            ...sends.map((each) => each.text),
          ]);
          const own = log.messages.filter((message) => message.author.id === SUBJECT.id);
          expect(own.map((message) => message.id)).toEqual(results.map((message) => message?.id));
          // The subject never reads: every message by someone else is unread, as the server counts.
          const summary = (await server.rooms(SUBJECT)).find((each) => each.room === roomName);
          expect(room.unreadCount).toBe(summary?.unread);
          expect(room.unreadCount).toBe(othersStored.length + 1);
        } finally {
          chat.close();
          healNetwork(proxy);
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
  }, 300_000);
});

import type { Message } from '@chatter/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatterClient } from '../src/index.js';
import { ServerProcess } from './support/server-process.js';
import { sleep, waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

/**
 * Random interleavings of sending, other people posting, dropped connections, outages, lost
 * acknowledgements, lost broadcasts and duplicated deliveries. Whatever happens, once the network settles the
 * room holds exactly the server's history, every send resolved with its stored message, and the
 * app saw each message once, in order.
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

type Action =
  | { kind: 'send'; text: string }
  | { kind: 'post'; text: string }
  | { kind: 'drop' }
  | { kind: 'outage'; ms: number }
  | { kind: 'loseReplies'; ms: number }
  | { kind: 'redeliver'; count: number }
  | { kind: 'loseBroadcasts'; count: number }
  | { kind: 'pause'; ms: number };

const text = fc.string({ minLength: 1, maxLength: 20 }).map((value) => `m ${value}`);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: text.map((value) => ({ kind: 'send' as const, text: value })) },
  { weight: 3, arbitrary: text.map((value) => ({ kind: 'post' as const, text: value })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'drop' as const }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 50, max: 400 }).map((ms) => ({ kind: 'outage' as const, ms })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 20, max: 200 })
      .map((ms) => ({ kind: 'loseReplies' as const, ms })),
  },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 1, max: 5 })
      .map((count) => ({ kind: 'redeliver' as const, count })),
  },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 1, max: 3 })
      .map((count) => ({ kind: 'loseBroadcasts' as const, count })),
  },
  {
    weight: 2,
    arbitrary: fc.integer({ min: 0, max: 60 }).map((ms) => ({ kind: 'pause' as const, ms })),
  },
);

let run = 0;

const isTimeline = (messages: readonly Message[]) =>
  messages.every(
    (message, index) => index === 0 || message.seq === (messages[index - 1]?.seq ?? 0) + 1,
  );

describe('delivery under random faults', () => {
  it('room.messages always ends equal to the server history, with every send stored once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), async (actions) => {
        const roomName = `prop-${++run}`;
        const chat = createChatterClient({
          url: proxy.url,
          getToken: () => server.token({ id: 'subject', name: 'Subject' }),
          transports: ['websocket'],
          reconnectionDelayMs: 20,
          reconnectionDelayMaxMs: 100,
          connectTimeoutMs: 1000,
          ackTimeoutMs: 500,
        });
        try {
          const room = await chat.join(roomName);
          const seen: Message[] = [];
          let brokenTimeline = false;
          room.on('message', (message) => seen.push(message));
          room.on('change', () => {
            if (!isTimeline(room.messages)) brokenTimeline = true;
          });

          const sends: Array<{ text: string; result: Promise<Message> }> = [];
          for (const step of actions) {
            switch (step.kind) {
              case 'send':
                sends.push({ text: step.text, result: room.send(step.text) });
                break;
              case 'post':
                await server.post(roomName, step.text);
                break;
              case 'drop':
                proxy.drop();
                break;
              case 'outage':
                proxy.refuse(true);
                await sleep(step.ms);
                proxy.refuse(false);
                break;
              case 'loseReplies':
                proxy.loseReplies = true;
                await sleep(step.ms);
                proxy.drop();
                proxy.loseReplies = false;
                break;
              case 'redeliver':
                proxy.redeliver(step.count);
                break;
              case 'loseBroadcasts':
                proxy.loseMessageEvents = step.count;
                break;
              case 'pause':
                await sleep(step.ms);
                break;
            }
          }

          const results = await Promise.all(sends.map((send) => send.result));
          // A lost broadcast shows as a gap when the next message arrives (or on reconnection).
          proxy.loseMessageEvents = 0;
          await server.post(roomName, 'the last word');
          const history = await server.history(roomName);
          await waitFor('the room to settle', () => room.messages.length === history.length);

          expect(room.messages).toEqual(history);
          expect(seen).toEqual(history);
          expect(brokenTimeline).toBe(false);
          expect(room.pending).toEqual([]);
          // Each send resolved with its own stored message, stored once, in the order sent.
          expect(results.map((message) => message.text)).toEqual(sends.map((send) => send.text));
          const ownStored = history.filter((message) => message.author.id === 'subject');
          expect(ownStored).toEqual(results);
        } finally {
          chat.close();
          proxy.refuse(false);
          proxy.loseReplies = false;
          proxy.loseMessageEvents = 0;
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
  }, 240_000);
});

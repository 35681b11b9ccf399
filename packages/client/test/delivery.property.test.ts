import type { Message } from '@chatter/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatterClient } from '../src/index.js';
import {
  action,
  healNetwork,
  IMPATIENT_CLIENT,
  isTimeline,
  playFault,
} from './support/delivery-faults.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
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

let run = 0;

describe('delivery under random faults', () => {
  it('room.messages always ends equal to the server history, with every send stored once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 25 }), async (actions) => {
        const roomName = `prop-${++run}`;
        const chat = createChatterClient({
          url: proxy.url,
          getToken: () => server.token({ id: 'subject', name: 'Subject' }),
          ...IMPATIENT_CLIENT,
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
              default:
                await playFault(proxy, step);
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
          healNetwork(proxy);
        }
      }),
      { numRuns: 30, endOnFailure: true },
    );
  }, 240_000);
});

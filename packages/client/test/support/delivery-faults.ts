import type { Message } from '@chatter/protocol';
import fc from 'fast-check';
import type { ChatterClientOptions } from '../../src/index.js';
import { sleep } from './wait.js';
import type { FaultyProxy } from './ws-proxy.js';

/**
 * The steps of the delivery property tests: the client sending, someone else posting over REST,
 * and the network faults a `FaultyProxy` plays between the client and its server.
 */
export type Action =
  | { kind: 'send'; text: string }
  | { kind: 'post'; text: string }
  | { kind: 'drop' }
  | { kind: 'outage'; ms: number }
  | { kind: 'loseReplies'; ms: number }
  | { kind: 'redeliver'; count: number }
  | { kind: 'loseBroadcasts'; count: number }
  | { kind: 'pause'; ms: number };

export type Fault = Exclude<Action, { kind: 'send' | 'post' }>;

const text = fc.string({ minLength: 1, maxLength: 20 }).map((value) => `m ${value}`);

export const action: fc.Arbitrary<Action> = fc.oneof(
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

/** Retrying soon enough, and giving up on a lost answer soon enough, for many runs to fit. */
export const IMPATIENT_CLIENT = {
  transports: ['websocket'],
  reconnectionDelayMs: 20,
  reconnectionDelayMaxMs: 100,
  connectTimeoutMs: 1000,
  ackTimeoutMs: 500,
} satisfies Partial<ChatterClientOptions>;

/** Whether `messages` go up one `seq` at a time, with no gap and no repeat. */
export const isTimeline = (messages: readonly Message[]) =>
  messages.every(
    (message, index) => index === 0 || message.seq === (messages[index - 1]?.seq ?? 0) + 1,
  );

/** Plays `fault` on `proxy`; an outage or lost replies last their time before this resolves. */
export const playFault = async (proxy: FaultyProxy, fault: Fault): Promise<void> => {
  switch (fault.kind) {
    case 'drop':
      proxy.drop();
      return;
    case 'outage':
      proxy.refuse(true);
      await sleep(fault.ms);
      proxy.refuse(false);
      return;
    case 'loseReplies':
      proxy.loseReplies = true;
      await sleep(fault.ms);
      proxy.drop();
      proxy.loseReplies = false;
      return;
    case 'redeliver':
      proxy.redeliver(fault.count);
      return;
    case 'loseBroadcasts':
      proxy.loseMessageEvents = fault.count;
      return;
    case 'pause':
      await sleep(fault.ms);
      return;
  }
};

/** Ends every fault still in play, for the next run to start on a healthy network. */
export const healNetwork = (proxy: FaultyProxy): void => {
  proxy.refuse(false);
  proxy.loseReplies = false;
  proxy.loseMessageEvents = 0;
};

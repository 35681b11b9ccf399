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

/** The reactions the log property test uses: few, so that adds and removes meet. */
export const EMOJI = ['👍', '🎉', '👩🏽‍💻'] as const;

/**
 * The steps of the log property test: those of `Action`, and changes to messages already
 * stored. `pick` chooses the target among the messages that qualify (modulo their number).
 *
 * - `reply`: the client sends a reply to a message.
 * - `edit`, `delete`: the client edits or deletes one of its own messages.
 * - `react`: the client adds (`add`) or removes a reaction, on anyone's message.
 * - `othersEdit`, `othersReact`: someone else does, over REST.
 */
export type LogAction =
  | Action
  | { kind: 'reply'; pick: number; text: string }
  | { kind: 'edit'; pick: number; text: string }
  | { kind: 'delete'; pick: number }
  | { kind: 'react'; pick: number; emoji: (typeof EMOJI)[number]; add: boolean }
  | { kind: 'othersEdit'; pick: number; text: string }
  | { kind: 'othersReact'; pick: number; emoji: (typeof EMOJI)[number]; add: boolean };

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

const pick = fc.nat({ max: 1000 });
const emoji = fc.constantFrom(...EMOJI);

export const logAction: fc.Arbitrary<LogAction> = fc.oneof(
  { weight: 10, arbitrary: action },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reply' as const), pick, text }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), pick, text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('react' as const), pick, emoji, add: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('othersEdit' as const), pick, text }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('othersReact' as const),
      pick,
      emoji,
      add: fc.boolean(),
    }),
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

/**
 * Whether `messages` go up one `seq` at a time, with no gap and no repeat: in a log of messages
 * only (changes take seqs between messages).
 */
export const isTimeline = (messages: readonly Message[]) =>
  messages.every(
    (message, index) => index === 0 || message.seq === (messages[index - 1]?.seq ?? 0) + 1,
  );

/** Whether `messages` go up in `seq` with no repeat (gaps are changes' seqs). */
export const isOrdered = (messages: readonly Message[]) =>
  messages.every((message, index) => index === 0 || message.seq > (messages[index - 1]?.seq ?? 0));

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

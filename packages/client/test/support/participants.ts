import { isDeepStrictEqual } from 'node:util';
import type { Message } from '@chatter/protocol';
import {
  type ChatterClient,
  type ChatterClientOptions,
  createChatterClient,
  type Room,
} from '../../src/index.js';
import type { ServerProcess } from './server-process.js';

/** How a participant's client connects; who it is comes from `joinAs`. */
export type ConnectionOptions = Partial<
  Pick<
    ChatterClientOptions,
    | 'transports'
    | 'reconnectionDelayMs'
    | 'reconnectionDelayMaxMs'
    | 'connectTimeoutMs'
    | 'ackTimeoutMs'
  >
>;

/** One person in a room through the SDK: its own user, client and connection. */
export interface Participant {
  userId: string;
  chat: ChatterClient;
  room: Room;
}

/** Signs `userId` in at `url` (any node: they share the secret) and joins `roomName`. */
export const joinAs = async (
  signer: ServerProcess,
  url: string,
  userId: string,
  roomName: string,
  options: ConnectionOptions = {},
): Promise<Participant> => {
  const chat = createChatterClient({
    url,
    getToken: () => signer.token({ id: userId, name: userId }),
    ...options,
  });
  try {
    return { userId, chat, room: await chat.join(roomName) };
  } catch (error) {
    chat.close();
    throw error;
  }
};

/** Whether every participant's timeline is `history`, message for message. */
export const allHold = (participants: readonly Participant[], history: readonly Message[]) =>
  participants.every((participant) => isDeepStrictEqual(participant.room.messages, history));

/** Each participant's timeline as seqs, to show in a failure which one lags and where. */
export const timelines = (participants: readonly Participant[]) =>
  Object.fromEntries(
    participants.map(({ userId, room }) => [userId, room.messages.map((message) => message.seq)]),
  );

/**
 * Waits up to `timeoutMs` for every timeline to be `history`, and says whether they got there:
 * the caller's assertions then show which timeline differs, and how, rather than a timeout.
 */
export const untilAllHold = async (
  participants: readonly Participant[],
  history: readonly Message[],
  timeoutMs = 15_000,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (!allHold(participants, history)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
};

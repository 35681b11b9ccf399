import {
  type ChatterClient,
  type ChatterClientOptions,
  createChatterClient,
  createGuestSession,
  type User,
} from '@chatter/client';
import { act, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { ChatterProvider } from '../../src/index.js';

/** One person: a guest session and a client of their own, closed by `closeAll`. */
export interface Person {
  user: User;
  chat: ChatterClient;
}

const opened: ChatterClient[] = [];

/** Retrying soon after a drop, so tests that stop the server do not wait seconds. */
export const QUICK = {
  transports: ['websocket'],
  reconnectionDelayMs: 50,
  reconnectionDelayMaxMs: 200,
  connectTimeoutMs: 2000,
} satisfies Partial<ChatterClientOptions>;

export const guest = async (url: string, name: string): Promise<Person> => {
  const { token, user } = await createGuestSession(url, name);
  const chat = createChatterClient({ url, token, ...QUICK });
  opened.push(chat);
  return { user, chat };
};

export const closeAll = () => {
  for (const chat of opened.splice(0)) chat.close();
};

/** Renders `ui` under a provider of `person`'s client; queries scoped to that tree. */
export const renderAs = (person: Person, ui: ReactNode) =>
  render(<ChatterProvider client={person.chat}>{ui}</ChatterProvider>);

/**
 * Runs a step of the test whose awaiting lets server events re-render components, inside
 * act(), the way React wants updates in tests to happen (else it warns, and warnings fail).
 */
export const step = async <T,>(run: () => Promise<T>): Promise<T> => {
  let result: T | undefined;
  await act(async () => {
    result = await run();
  });
  return result as T;
};

let rooms = 0;
/** A room name no other test uses. */
export const freshRoom = () => `react-${process.pid}-${++rooms}`;

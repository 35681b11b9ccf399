import type { Message } from '@chatter/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatterClient, createChatterClient, type Room } from '../src/index.js';
import { FAST_RECONNECTION, FAST_TIMEOUTS } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

/**
 * What UI stores rely on (React's `useSyncExternalStore` among them): every getter returns the
 * same object until the event that reports a new value, and the new value then. A getter that
 * builds a new object on each read makes React render forever (error #185); one that changes
 * without its event leaves the UI showing an old value.
 */
const server = new ServerProcess();
beforeAll(() => server.start());
afterAll(() => server.dispose());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let roomCounter = 0;
const freshRoom = () => `stable-${process.pid}-${++roomCounter}`;

const client = (userId: string): ChatterClient => {
  const chat = createChatterClient({
    url: server.url,
    getToken: () => server.token({ id: userId, name: userId }),
    ...FAST_RECONNECTION,
    ...FAST_TIMEOUTS,
  });
  cleanups.push(() => chat.close());
  return chat;
};

/**
 * Reads `read` the way `useSyncExternalStore` does: on subscribing, and again on each of the
 * store's events. `values` lists the distinct values the UI was handed; `problems` lists any
 * read that did not return the object of the read just before it with no event between.
 */
const watch = <T>(subscribe: (listener: () => void) => () => void, read: () => T) => {
  const values: T[] = [read()];
  const problems: string[] = [];
  const check = (when: string) => {
    const first = read();
    if (read() !== first) problems.push(`${when}: two reads gave two objects`);
    return first;
  };
  const unsubscribe = subscribe(() => {
    const value = check('on the event');
    if (value !== values.at(-1)) values.push(value);
  });
  cleanups.push(unsubscribe);
  return {
    values,
    problems,
    /** The value now, which must be the one the last event handed out. */
    settled(): T {
      const value = check('after the events');
      if (value !== values.at(-1)) problems.push('the value changed with no event');
      return value;
    },
  };
};

const onRoomChange = (room: Room) => (listener: () => void) => room.on('change', listener);
const onClientChange = (chat: ChatterClient) => (listener: () => void) =>
  chat.on('change', listener);

/** Waits until the timeline of every room ends at `seq`. */
const untilHeld = (rooms: Room[], seq: number) =>
  waitFor(`messages up to ${seq}`, () => rooms.every((room) => room.messages.at(-1)?.seq === seq));

describe('room getters', () => {
  it('messages and pending: the same array until `change`, the new value with it', async () => {
    const name = freshRoom();
    const adaChat = client('ada');
    const ada = await adaChat.join(name);
    const bob = await client('bob').join(name);
    const messages = watch(onRoomChange(bob), () => bob.messages);
    const pending = watch(onRoomChange(ada), () => ada.pending);
    const allPending = watch(onClientChange(adaChat), () => adaChat.pending);

    const sent = [await ada.send('one'), await ada.send('two')];
    await untilHeld([ada, bob], sent[1]?.seq ?? 0);

    expect(messages.settled().map((message) => message.text)).toEqual(['one', 'two']);
    expect(messages.values.at(0)).toEqual([]);
    expect(messages.problems).toEqual([]);
    // Each send showed as pending (queued, sending) and went; nothing is left.
    expect(pending.settled()).toEqual([]);
    expect(pending.values.length).toBeGreaterThan(2);
    expect(pending.values.some((value) => value.some((entry) => entry.text === 'two'))).toBe(true);
    expect(pending.problems).toEqual([]);
    expect(allPending.settled()).toEqual([]);
    expect(allPending.values.length).toBeGreaterThan(2);
    expect(allPending.problems).toEqual([]);
  });

  it('typingUsers: the same array until someone starts or stops', async () => {
    const name = freshRoom();
    const ada = await client('ada').join(name);
    const bob = await client('bob').join(name);
    const typing = watch(onRoomChange(ada), () => ada.typingUsers);

    bob.typing(true);
    await waitFor('bob typing', () => ada.typingUsers.length === 1);
    expect(typing.settled()).toEqual([{ id: 'bob', name: 'bob' }]);
    bob.typing(false);
    await waitFor('bob stopped', () => ada.typingUsers.length === 0);
    expect(typing.settled()).toEqual([]);
    expect(typing.values).toHaveLength(3);
    expect(typing.problems).toEqual([]);
  });

  it('readPositions and readBy: the same until a position moves', async () => {
    const name = freshRoom();
    const ada = await client('ada').join(name);
    const bob = await client('bob').join(name);
    const hello = await ada.send('hello');
    await untilHeld([ada, bob], hello.seq);
    const positions = watch(onRoomChange(ada), () => ada.readPositions);
    const readBy = watch(onRoomChange(ada), () => ada.readBy(hello.id));
    expect(readBy.settled()).toEqual([]);

    await bob.markRead();
    await waitFor('bob read hello', () => ada.readPositions.get('bob') === hello.seq);
    expect(positions.settled().get('bob')).toBe(hello.seq);
    expect(readBy.settled()).toEqual(['bob']);
    expect(positions.values).toHaveLength(2);
    expect(readBy.values).toHaveLength(2);
    expect([...positions.problems, ...readBy.problems]).toEqual([]);
  });
});

describe('client getters', () => {
  it('joinedRooms, user and connectionStatus: the same until `change` reports a new one', async () => {
    const chat = client('carol');
    const rooms = watch(onClientChange(chat), () => chat.joinedRooms);
    const user = watch(onClientChange(chat), () => chat.user);
    const status = watch(onClientChange(chat), () => chat.connectionStatus);
    // Before anything happens on the network: no room, no token fetched yet, not connected.
    expect(chat.joinedRooms).toEqual([]);
    expect(chat.user).toBeNull();
    expect(chat.connectionStatus).toBe('disconnected');

    const first = await chat.join(freshRoom());
    const second = await chat.join(freshRoom());
    expect(rooms.settled()).toEqual([first, second]);
    expect(user.settled()).toEqual({ id: 'carol', name: 'carol' });
    expect(status.settled()).toBe('connected');

    await first.leave();
    expect(rooms.settled()).toEqual([second]);
    expect(rooms.values.map((value) => value.length)).toEqual([0, 1, 2, 1]);
    expect(user.values).toEqual([null, { id: 'carol', name: 'carol' }]);
    expect(status.values).toEqual(['disconnected', 'connecting', 'connected']);
    expect([...rooms.problems, ...user.problems, ...status.problems]).toEqual([]);
  });
});

describe('join', () => {
  it('hands over everything so far in `messages`; `message` reports only what follows', async () => {
    const name = freshRoom();
    const poster = await client('poster').join(name);
    const posted: Promise<Message>[] = [];
    for (let index = 0; index < 5; index += 1) posted.push(poster.send(`before ${index}`));
    await Promise.all(posted);
    // Messages keep arriving while Ada joins; none may fall between the page and the events.
    const during = Array.from({ length: 20 }, (_, index) => poster.send(`during ${index}`));
    const ada = await client('ada').join(name);
    const atJoin = ada.messages.map((message) => message.text);
    const heard: string[] = [];
    ada.on('message', (message) => heard.push(message.text));
    await Promise.all(during);
    const after = [await poster.send('after 0'), await poster.send('after 1')];
    await untilHeld([ada], after[1]?.seq ?? 0);

    expect(atJoin.slice(0, 5)).toEqual([
      'before 0',
      'before 1',
      'before 2',
      'before 3',
      'before 4',
    ]);
    expect(heard.slice(-2)).toEqual(['after 0', 'after 1']);
    expect([...atJoin, ...heard]).toEqual(ada.messages.map((message) => message.text));
    expect(ada.messages).toHaveLength(27);
  });
});

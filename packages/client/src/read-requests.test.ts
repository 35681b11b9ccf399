import type { ReadState } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { ChatterError } from './errors.js';
import { ReadRequests } from './read-requests.js';

/** A fake room: `sent` records each `read`, answered by `answer` (or held until `reply`). */
const setup = () => {
  let current: ReadState = { room: 'general', seq: 0, unread: 3, head: 3 };
  const sent: number[] = [];
  const replies: Array<(result: ReadState | ChatterError) => void> = [];
  const room = { joined: false };
  const requests = new ReadRequests({
    send: (seq) => {
      sent.push(seq);
      return new Promise<ReadState>((resolve, reject) => {
        replies.push((result) =>
          result instanceof ChatterError ? reject(result) : resolve(result),
        );
      });
    },
    canSend: () => room.joined,
    current: () => current,
    answered: (state) => {
      current = state;
    },
  });
  const reply = async (result: ReadState | ChatterError) => {
    replies.shift()?.(result);
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const state = (seq: number): ReadState => ({ room: 'general', seq, unread: 3 - seq, head: 3 });
  return { requests, sent, reply, room, state, current: () => current };
};

describe('ReadRequests', () => {
  it('resolves at once, sending nothing, for a position already read', async () => {
    const { requests, sent, room, state, reply } = setup();
    room.joined = true;
    const first = requests.mark(2);
    await reply(state(2));
    await expect(first).resolves.toEqual(state(2));
    await expect(requests.mark(1)).resolves.toEqual(state(2));
    expect(sent).toEqual([2]);
  });

  it('waits while not joined, then sends only the furthest position asked for', async () => {
    const { requests, sent, room, state, reply } = setup();
    const marks = [requests.mark(1), requests.mark(3), requests.mark(2)];
    expect(sent).toEqual([]);
    room.joined = true;
    requests.flush();
    expect(sent).toEqual([3]);
    await reply(state(3));
    await expect(Promise.all(marks)).resolves.toEqual([state(3), state(3), state(3)]);
    expect(sent).toEqual([3]);
  });

  it('sends one at a time, a further position after the one in flight', async () => {
    const { requests, sent, room, state, reply } = setup();
    room.joined = true;
    const first = requests.mark(1);
    const second = requests.mark(2);
    expect(sent).toEqual([1]);
    await reply(state(1));
    await expect(first).resolves.toEqual(state(1));
    expect(sent).toEqual([1, 2]);
    await reply(state(2));
    await expect(second).resolves.toEqual(state(2));
  });

  it('sends again after the next join when the connection dropped on the way', async () => {
    const { requests, sent, room, state, reply } = setup();
    room.joined = true;
    const mark = requests.mark(2);
    room.joined = false;
    await reply(new ChatterError('DISCONNECTED', 'dropped'));
    room.joined = true;
    requests.flush();
    expect(sent).toEqual([2, 2]);
    await reply(state(2));
    await expect(mark).resolves.toEqual(state(2));
  });

  it('sends again at once when the request fails after the room was joined again', async () => {
    const { requests, sent, room, state, reply } = setup();
    room.joined = true;
    const mark = requests.mark(2);
    // Dropped and joined again before the lost request gave up: the next join's flush finds
    // it still running, so the request itself must go again.
    room.joined = false;
    room.joined = true;
    requests.flush();
    expect(sent).toEqual([2]);
    await reply(new ChatterError('DISCONNECTED', 'dropped'));
    expect(sent).toEqual([2, 2]);
    await reply(state(2));
    await expect(mark).resolves.toEqual(state(2));
  });

  it('rejects what the server refuses for good, and cancels what waits when asked', async () => {
    const { requests, room, reply, current } = setup();
    room.joined = true;
    const refused = requests.mark(2).catch((error: unknown) => error);
    await reply(new ChatterError('FORBIDDEN', 'no'));
    expect(await refused).toMatchObject({ code: 'FORBIDDEN' });
    room.joined = false;
    const waiting = requests.mark(3);
    requests.cancel();
    await expect(waiting).resolves.toEqual(current());
    const closed = requests.mark(3);
    requests.cancel(new ChatterError('CLOSED', 'left'));
    await expect(closed).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

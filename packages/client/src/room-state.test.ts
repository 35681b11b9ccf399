import type { Message } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { RoomState } from './room-state.js';

const message = (seq: number): Message => ({
  id: `id-${seq}`,
  room: 'general',
  seq,
  text: `message ${seq}`,
  author: { id: 'ada', name: 'Ada' },
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
});

const seqs = (messages: readonly Message[]) => messages.map((each) => each.seq);

const joined = (...page: number[]) => {
  const state = new RoomState();
  const head = page.at(-1) ?? 0;
  state.applyJoin(
    { ok: true, room: 'general', epoch: 'e1', head, messages: page.map(message), hasMore: false },
    false,
  );
  return state;
};

describe('RoomState', () => {
  it('starts from the newest page of a first join', () => {
    const state = joined(4, 5, 6);
    expect(seqs(state.messages)).toEqual([4, 5, 6]);
    expect(state.last).toBe(6);
    expect(state.epoch).toBe('e1');
    expect(state.behind).toBe(false);
  });

  it('appends the next message and drops one it already has', () => {
    const state = joined(1, 2);
    expect(seqs(state.receive(message(3)))).toEqual([3]);
    expect(state.receive(message(3))).toEqual([]);
    expect(state.receive(message(1))).toEqual([]);
    expect(seqs(state.messages)).toEqual([1, 2, 3]);
  });

  it('holds a message that arrives after a gap until the gap is filled, then appends in order', () => {
    const state = joined(1);
    expect(state.receive(message(4))).toEqual([]);
    expect(state.behind).toBe(true);
    expect(state.head).toBe(4);
    expect(state.receive(message(3))).toEqual([]);
    expect(seqs(state.receive(message(2)))).toEqual([2, 3, 4]);
    expect(state.behind).toBe(false);
    expect(seqs(state.messages)).toEqual([1, 2, 3, 4]);
  });

  it('takes a page out of order and appends it in order, dropping what it holds', () => {
    const state = joined(1, 2);
    const appended = state.receiveAll([5, 3, 2, 4, 4].map(message));
    expect(seqs(appended)).toEqual([3, 4, 5]);
    expect(seqs(state.messages)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps live messages that beat the join acknowledgement', () => {
    const state = new RoomState();
    state.receive(message(11));
    state.receive(message(10));
    const { appended } = state.applyJoin(
      {
        ok: true,
        room: 'general',
        epoch: 'e1',
        head: 10,
        messages: [8, 9, 10].map(message),
        hasMore: true,
      },
      false,
    );
    expect(seqs(appended)).toEqual([11]);
    expect(seqs(state.messages)).toEqual([8, 9, 10, 11]);
    expect(state.hasMoreHistory).toBe(true);
  });

  it('resumes a join after what it holds, within the same epoch', () => {
    const state = joined(1, 2);
    state.connectionLost();
    const { outcome, appended } = state.applyJoin(
      {
        ok: true,
        room: 'general',
        epoch: 'e1',
        head: 5,
        messages: [3, 4].map(message),
        hasMore: true,
      },
      true,
    );
    expect(outcome.reset).toBe(false);
    expect(seqs(appended)).toEqual([3, 4]);
    // The server has up to 5: one more page to fetch.
    expect(state.behind).toBe(true);
  });

  it('replaces everything when the epoch changed', () => {
    const state = joined(1, 2, 3);
    const { outcome } = state.applyJoin(
      { ok: true, room: 'general', epoch: 'e2', head: 1, messages: [message(1)], hasMore: false },
      true,
    );
    expect(outcome).toEqual({ reset: true, previousEpoch: 'e1' });
    expect(seqs(state.messages)).toEqual([1]);
    expect(state.epoch).toBe('e2');
    expect(state.last).toBe(1);
  });

  it('replaces everything when the head is behind what it holds, in the same epoch', () => {
    // History restored from an older backup without a new epoch: 3 and 4 are gone.
    const state = joined(1, 2, 3, 4);
    state.connectionLost();
    const { outcome } = state.applyJoin(
      {
        ok: true,
        room: 'general',
        epoch: 'e1',
        head: 2,
        messages: [1, 2].map(message),
        hasMore: false,
      },
      true,
    );
    expect(outcome).toEqual({ reset: true, previousEpoch: 'e1' });
    expect(seqs(state.messages)).toEqual([1, 2]);
    expect(state.last).toBe(2);
    expect(state.behind).toBe(false);
  });

  it('does not reset when the head is exactly what it holds', () => {
    const state = joined(1, 2);
    state.connectionLost();
    const { outcome } = state.applyJoin(
      { ok: true, room: 'general', epoch: 'e1', head: 2, messages: [], hasMore: false },
      true,
    );
    expect(outcome.reset).toBe(false);
    expect(seqs(state.messages)).toEqual([1, 2]);
  });

  it('takes an announced head beyond what it holds as a gap, and ignores one it holds', () => {
    const state = joined(1, 2, 3);
    expect(state.announceHead(3)).toBe(false);
    // Sent before message 3 arrived, say: no news, and not a sign of a replaced history.
    expect(state.announceHead(1)).toBe(false);
    expect(state.behind).toBe(false);
    expect(state.announceHead(6)).toBe(true);
    expect(state.head).toBe(6);
    expect(state.behind).toBe(true);
    // A smaller head does not shrink the gap already known.
    expect(state.announceHead(5)).toBe(true);
    expect(state.head).toBe(6);
    expect(seqs(state.receiveAll([4, 5, 6].map(message)))).toEqual([4, 5, 6]);
    expect(state.behind).toBe(false);
  });

  it('forgets what it held ahead of the timeline when the connection drops', () => {
    const state = joined(1);
    state.receive(message(3));
    state.connectionLost();
    expect(state.behind).toBe(false);
    expect(seqs(state.receive(message(2)))).toEqual([2]);
    expect(seqs(state.messages)).toEqual([1, 2]);
  });

  it('prepends only an older page that ends right before the timeline', () => {
    const state = joined(5, 6);
    expect(state.prependOlder([1, 2].map(message), true)).toBe(false);
    expect(state.prependOlder([3, 4, 5].map(message), true)).toBe(true);
    expect(seqs(state.messages)).toEqual([3, 4, 5, 6]);
    expect(state.hasMoreHistory).toBe(true);
    expect(state.prependOlder([1, 2].map(message), false)).toBe(true);
    expect(seqs(state.messages)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(state.hasMoreHistory).toBe(false);
  });

  it('gives the timeline a new array on every change', () => {
    const state = joined(1);
    const before = state.messages;
    state.receive(message(2));
    expect(state.messages).not.toBe(before);
    expect(seqs(before)).toEqual([1]);
  });
});

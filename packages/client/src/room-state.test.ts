import type { JoinAck, Message, MessageChange } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import type { LogEntry } from './message-log.js';
import { RoomState } from './room-state.js';

const message = (seq: number): Message => ({
  id: `id-${seq}`,
  room: 'general',
  seq,
  text: `message ${seq}`,
  author: { id: 'ada', name: 'Ada' },
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
});

const at = (seq: number) => new Date(Date.UTC(2026, 0, 1, 1, 0, seq)).toISOString();

/** The log entry at `seq` that edits `target` to `text`, carrying its whole state after. */
const edit = (target: Message, seq: number, text: string): MessageChange => ({
  room: 'general',
  seq,
  type: 'edited',
  message: { ...target, text, editedAt: at(seq) },
  by: target.author.id,
  at: at(seq),
});

const deletion = (target: Message, seq: number): MessageChange => {
  const { reactions: _reactions, ...rest } = target;
  return {
    room: 'general',
    seq,
    type: 'deleted',
    message: { ...rest, text: '', deletedAt: at(seq) },
    by: target.author.id,
    at: at(seq),
  };
};

const reaction = (target: Message, seq: number, emoji: string, by: string): MessageChange => ({
  room: 'general',
  seq,
  type: 'reaction_added',
  message: { ...target, reactions: [{ emoji, count: 1, users: [by] }] },
  by,
  at: at(seq),
  emoji,
});

const seqs = (entries: ReadonlyArray<Message | LogEntry>) => entries.map((each) => each.seq);

type JoinedAck = Extract<JoinAck, { ok: true }>;

/** A join acknowledgement: the room's read state left empty unless a test sets it. */
const ack = (
  fields: Pick<JoinedAck, 'epoch' | 'head' | 'messages' | 'hasMore'> & Partial<JoinedAck>,
): JoinedAck => ({
  ok: true,
  room: 'general',
  changes: [],
  readSeq: 0,
  unread: 0,
  reads: [],
  ...fields,
});

const joined = (...page: number[]) => {
  const state = new RoomState();
  const head = page.at(-1) ?? 0;
  state.applyJoin(
    ack({ epoch: 'e1', head, messages: page.map(message), hasMore: false }),
    undefined,
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
    const { passed } = state.applyJoin(
      ack({ epoch: 'e1', head: 10, messages: [8, 9, 10].map(message), hasMore: true }),
      undefined,
    );
    expect(seqs(passed)).toEqual([11]);
    expect(seqs(state.messages)).toEqual([8, 9, 10, 11]);
    expect(state.hasMoreHistory).toBe(true);
  });

  it('resumes a join after what it holds, within the same epoch', () => {
    const state = joined(1, 2);
    state.connectionLost();
    const { outcome, passed } = state.applyJoin(
      ack({ epoch: 'e1', head: 5, messages: [3, 4].map(message), hasMore: true }),
      2,
    );
    expect(outcome.reset).toBe(false);
    expect(seqs(passed)).toEqual([3, 4]);
    // The server has up to 5: one more page to fetch.
    expect(state.behind).toBe(true);
  });

  it('replaces everything when the epoch changed', () => {
    const state = joined(1, 2, 3);
    const { outcome } = state.applyJoin(
      ack({ epoch: 'e2', head: 1, messages: [message(1)], hasMore: false }),
      3,
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
      ack({ epoch: 'e1', head: 2, messages: [1, 2].map(message), hasMore: false }),
      4,
    );
    expect(outcome).toEqual({ reset: true, previousEpoch: 'e1' });
    expect(seqs(state.messages)).toEqual([1, 2]);
    expect(state.last).toBe(2);
    expect(state.behind).toBe(false);
  });

  it('keeps an entry acknowledged while the join was on its way, beyond the head the join read', () => {
    // Rejoining after 2; the outbox's resend is stored as 3 and its acknowledgement arrives
    // before the join's answer, which read the head just before that.
    const state = joined(1, 2);
    state.connectionLost();
    state.receive(message(3));
    const { outcome, passed } = state.applyJoin(
      ack({ epoch: 'e1', head: 2, messages: [], hasMore: false }),
      2,
    );
    expect(outcome.reset).toBe(false);
    expect(passed).toEqual([]);
    expect(seqs(state.messages)).toEqual([1, 2, 3]);
  });

  it('does not reset when the head is exactly what it holds', () => {
    const state = joined(1, 2);
    state.connectionLost();
    const { outcome } = state.applyJoin(
      ack({ epoch: 'e1', head: 2, messages: [], hasMore: false }),
      2,
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

describe('RoomState: changes in the log', () => {
  it('moves the log on over a change, also one to a message it does not hold', () => {
    const state = joined(5, 6);
    const timeline = state.messages;
    expect(seqs(state.receiveChange(edit(message(2), 7, 'older than the page')))).toEqual([7]);
    expect(state.last).toBe(7);
    expect(state.behind).toBe(false);
    // Nothing it shows changed: the same array.
    expect(state.messages).toBe(timeline);
    // The next message follows the change without a gap.
    expect(seqs(state.receive(message(8)))).toEqual([8]);
  });

  it("takes a forward page's messages and changes together, gap-free and in seq order", () => {
    const state = joined(1);
    const passed = state.receiveAll(
      [message(4), message(2)],
      [edit(message(2), 5, 'two, edited'), edit(message(1), 3, 'one, edited')],
    );
    expect(passed.map((entry) => `${entry.kind} ${entry.seq}`)).toEqual([
      'message 2',
      'change 3',
      'message 4',
      'change 5',
    ]);
    expect(state.last).toBe(5);
    expect(state.messages.map((each) => each.text)).toEqual([
      'one, edited',
      'two, edited',
      'message 4',
    ]);
  });

  it('holds a change that arrives before its message, and applies it once the message is in', () => {
    const state = joined(1);
    expect(state.receiveChange(edit(message(2), 3, 'edited'))).toEqual([]);
    expect(state.behind).toBe(true);
    expect(state.head).toBe(3);
    expect(seqs(state.receive(message(2)))).toEqual([2, 3]);
    expect(state.messages.map((each) => each.text)).toEqual(['message 1', 'edited']);
    expect(state.behind).toBe(false);
  });

  it('holds a message that arrives after a change it follows, until the gap before both fills', () => {
    const state = joined(1);
    expect(state.receive(message(4))).toEqual([]);
    expect(state.receiveChange(reaction(message(1), 3, '👍', 'bob'))).toEqual([]);
    const passed = state.receiveAll([message(2)]);
    expect(seqs(passed)).toEqual([2, 3, 4]);
    expect(state.messages[0]?.reactions).toEqual([{ emoji: '👍', count: 1, users: ['bob'] }]);
    expect(seqs(state.messages)).toEqual([1, 2, 4]);
  });

  it('shows a change waiting behind a gap at once, and never goes back to an older state', () => {
    const state = joined(1, 2);
    const before = state.messages;
    // Seq 5 arrives live while 3 and 4 are missing: its state is the newest there is.
    expect(state.receiveChange(edit(message(2), 5, 'newest'))).toEqual([]);
    expect(state.messages).not.toBe(before);
    expect(state.messages[1]?.text).toBe('newest');
    // The gap fills with an older edit of the same message (as broadcast at the time).
    const passed = state.receiveAll([message(3)], [edit(message(2), 4, 'older')]);
    expect(seqs(passed)).toEqual([3, 4, 5]);
    expect(state.messages[1]).toMatchObject({ text: 'newest', editedAt: at(5) });
    expect(state.last).toBe(5);
  });

  it('never applies an older state after a newer one, whatever order they come in', () => {
    const state = joined(1);
    state.receiveChange(edit(message(1), 4, 'third'));
    state.receiveChange(edit(message(1), 3, 'second'));
    expect(state.messages[0]?.text).toBe('third');
    expect(seqs(state.receiveChange(edit(message(1), 2, 'first')))).toEqual([2, 3, 4]);
    expect(state.messages[0]?.text).toBe('third');
  });

  it('drops a change it has already taken, live or from a page, keeping the same array', () => {
    const state = joined(1);
    const change = edit(message(1), 2, 'edited');
    expect(seqs(state.receiveChange(change))).toEqual([2]);
    const after = state.messages;
    expect(state.receiveChange(change)).toEqual([]);
    expect(state.receiveAll([], [change])).toEqual([]);
    expect(state.messages).toBe(after);
    // Held twice before the gap fills: passed once.
    state.receiveChange(edit(message(1), 4, 'again'));
    state.receiveChange(edit(message(1), 4, 'again'));
    expect(seqs(state.receiveAll([message(3)], [edit(message(1), 4, 'again')]))).toEqual([3, 4]);
  });

  it('shows a deletion as a tombstone, and requotes replies to an edited or deleted parent', () => {
    const parent = message(1);
    const reply: Message = {
      ...message(2),
      replyTo: { id: parent.id, seq: 1, author: parent.author, excerpt: 'message 1' },
    };
    const state = new RoomState();
    state.applyJoin(
      ack({ epoch: 'e1', head: 2, messages: [parent, reply], hasMore: false }),
      undefined,
    );

    state.receiveChange(edit(parent, 3, 'message one'));
    expect(state.messages[1]?.replyTo).toEqual({ ...reply.replyTo, excerpt: 'message one' });

    state.receiveChange(reaction({ ...parent, text: 'message one' }, 4, '🎉', 'bob'));
    const deleted = deletion({ ...parent, text: 'message one' }, 5);
    state.receiveChange(deleted);
    expect(state.messages[0]).toEqual(deleted.message);
    expect(state.messages[0]).toMatchObject({ text: '', deletedAt: at(5) });
    expect(state.messages[0]?.reactions).toBeUndefined();
    expect(state.messages[1]?.replyTo).toEqual({ ...reply.replyTo, excerpt: '', deleted: true });
    expect(state.find(reply.id)).toBe(state.messages[1]);
  });

  it('after a first join, fetches what follows the page up to the head, changes included', () => {
    const state = new RoomState();
    // Message 5 was stored after the page was read, and arrived live before the answer.
    state.receive(message(5));
    state.applyJoin(
      ack({ epoch: 'e1', head: 5, messages: [1, 2].map(message), hasMore: false }),
      undefined,
    );
    expect(state.last).toBe(2);
    expect(state.behind).toBe(true);
    const passed = state.receiveAll(
      [],
      [edit(message(1), 3, 'edited'), reaction(message(2), 4, '👍', 'bob')],
    );
    expect(seqs(passed)).toEqual([3, 4, 5]);
    expect(state.behind).toBe(false);
    expect(state.messages.map((each) => each.text)).toEqual(['edited', 'message 2', 'message 5']);
  });

  it('resumes a join with the changes it replays, in order with its messages', () => {
    const state = joined(1, 2);
    state.connectionLost();
    const { passed } = state.applyJoin(
      ack({
        epoch: 'e1',
        head: 4,
        messages: [message(4)],
        changes: [edit(message(1), 3, 'edited while away')],
        hasMore: false,
      }),
      2,
    );
    expect(seqs(passed)).toEqual([3, 4]);
    expect(state.messages.map((each) => each.text)).toEqual([
      'edited while away',
      'message 2',
      'message 4',
    ]);
  });

  it('prepends an older page asked for right before the timeline, though changes left seq gaps', () => {
    // 11 was a change: the timeline's messages are 10 and 12.
    const state = joined(10, 12);
    expect(state.prependOlder([5, 8].map(message), true, 9)).toBe(false);
    expect(state.prependOlder([5, 8].map(message), true, 10)).toBe(true);
    expect(seqs(state.messages)).toEqual([5, 8, 10, 12]);
    // A newest page (no `before`) that reaches into the timeline is contiguous with it too.
    expect(state.prependOlder([2, 4, 5, 8].map(message), true)).toBe(true);
    expect(seqs(state.messages)).toEqual([2, 4, 5, 8, 10, 12]);
    expect(state.find('id-4')?.seq).toBe(4);
  });
});

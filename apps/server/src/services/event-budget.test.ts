import { describe, expect, it } from 'vitest';
import { EVENT_LIMITS } from '../event-limits.js';
import { approximateBytes, EventBudgets } from './event-budget.js';

/** Budgets on a clock the test moves by hand. */
const budgets = (options: { eventsPerSecond?: number; readBytesPerSecond?: number } = {}) => {
  const clock = { now: 0 };
  const tracker = new EventBudgets({
    eventsPerSecond: options.eventsPerSecond ?? 10,
    readBytesPerSecond: options.readBytesPerSecond ?? 1024 * 1024,
    refusalsBeforeDisconnect: 5,
    now: () => clock.now,
  });
  return { tracker, clock };
};

describe('EventBudgets', () => {
  it('lets a burst of cheap events through, then the configured rate', () => {
    const { tracker, clock } = budgets({ eventsPerSecond: 10 });
    const connection = {};
    const burst = 10 * EVENT_LIMITS.eventBurstSeconds;
    for (let i = 0; i < burst; i++) expect(tracker.spend(connection, 'typing')).toBeUndefined();
    const refused = tracker.spend(connection, 'away');
    expect(refused?.error.toPayload()).toEqual({
      code: 'RATE_LIMITED',
      message:
        'Too many typing, away, leave, read, rooms and auth events on this connection; slow down',
      details: { retryAfterMs: 100 },
    });
    clock.now += 100;
    expect(tracker.spend(connection, 'leave')).toBeUndefined();
    expect(tracker.spend(connection, 'typing')).toBeDefined();
  });

  it('keeps each connection to its own budget, and leaves messages to the per-user limit', () => {
    const { tracker } = budgets({ eventsPerSecond: 1 });
    const flooder = {};
    const bystander = {};
    for (let i = 0; i < 100; i++) tracker.spend(flooder, 'typing');
    expect(tracker.spend(flooder, 'typing')).toBeDefined();
    expect(tracker.spend(flooder, 'message')).toBeUndefined();
    expect(tracker.spend(bystander, 'typing')).toBeUndefined();
  });

  it('leaves changes to messages to the per-user limit, and charges read and rooms as cheap events', () => {
    const { tracker } = budgets({ eventsPerSecond: 1 });
    const connection = {};
    for (const event of ['edit', 'delete', 'react', 'unreact'] as const) {
      for (let i = 0; i < 100; i++) expect(tracker.spend(connection, event)).toBeUndefined();
    }
    const burst = EVENT_LIMITS.eventBurstSeconds;
    for (let i = 0; i < burst; i++) {
      expect(tracker.spend(connection, i % 2 === 0 ? 'read' : 'rooms')).toBeUndefined();
    }
    expect(tracker.spend(connection, 'read')?.error.message).toBe(
      'Too many typing, away, leave, read, rooms and auth events on this connection; slow down',
    );
    expect(tracker.spend(connection, 'rooms')).toBeDefined();
  });

  it('weighs a page by its messages, reactions, replies and the messages its changes carry', () => {
    const message = {
      id: 'm1',
      room: 'r',
      seq: 1,
      text: 'x'.repeat(100),
      author: { id: 'ada', name: 'Ada' },
      createdAt: new Date(0).toISOString(),
    };
    const plain = approximateBytes([message]);
    expect(plain).toBe(100 + 3 + EVENT_LIMITS.messageOverheadBytes);
    const reacted = {
      ...message,
      reactions: [
        { emoji: '👍', count: 100, users: Array.from({ length: 100 }, () => 'u'.repeat(50)) },
      ],
    };
    expect(approximateBytes([reacted])).toBeGreaterThan(plain + 100 * 50);
    const change = {
      room: 'r',
      seq: 2,
      type: 'edited' as const,
      message,
      by: 'ada',
      at: message.createdAt,
    };
    expect(approximateBytes([], [change])).toBeGreaterThanOrEqual(plain);
  });

  it('charges reads for what they returned, so a large page is waited out before the next read', () => {
    const rate = 1024 * 1024;
    const { tracker, clock } = budgets({ readBytesPerSecond: rate });
    const connection = {};
    expect(tracker.spend(connection, 'history')).toBeUndefined();
    // One page worth the whole burst and a second more: the budget is in debt.
    tracker.chargeRead(connection, rate * (EVENT_LIMITS.readBurstSeconds + 1));
    const refused = tracker.spend(connection, 'join');
    if (!refused) throw new Error('the read was let through');
    expect(refused.error.code).toBe('RATE_LIMITED');
    const { retryAfterMs: waitMs } = refused.error.details as { retryAfterMs: number };
    // The debt (a second of the rate and the request's own cost) and the next request's cost.
    const requestMs = (EVENT_LIMITS.readRequestCostBytes / rate) * 1000;
    expect(waitMs).toBe(Math.ceil(1000 + 2 * requestMs));
    clock.now += waitMs - 1;
    expect(tracker.spend(connection, 'history')).toBeDefined();
    clock.now += 2;
    expect(tracker.spend(connection, 'history')).toBeUndefined();
  });

  it('asks to close a connection refused again and again, and forgives refusals over time', () => {
    const { tracker, clock } = budgets({ eventsPerSecond: 1 });
    const connection = {};
    for (let i = 0; i < EVENT_LIMITS.eventBurstSeconds; i++) tracker.spend(connection, 'typing');
    const verdicts = () => tracker.spend(connection, 'typing')?.disconnect;
    expect([verdicts(), verdicts(), verdicts(), verdicts()]).toEqual([false, false, false, false]);
    // Four refusals, then three quiet seconds: three are forgiven, and three events let through.
    clock.now += 3000;
    for (let i = 0; i < 3; i++) expect(tracker.spend(connection, 'typing')).toBeUndefined();
    expect([verdicts(), verdicts(), verdicts()]).toEqual([false, false, false]);
    expect(verdicts()).toBe(true);
  });
});

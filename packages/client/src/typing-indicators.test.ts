import { LIMITS, type TypingEvent, type User } from '@chatter/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingIndicators } from './typing-indicators.js';

const TTL = LIMITS.typingIndicatorTtlMs;
const ada: User = { id: 'ada', name: 'Ada' };
const bob: User = { id: 'bob', name: 'Bob' };
const event = (user: User, typing: boolean): TypingEvent => ({ room: 'general', user, typing });

const indicators = () => {
  const expired: TypingEvent[] = [];
  return { typing: new TypingIndicators('general', (stop) => expired.push(stop)), expired };
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TypingIndicators', () => {
  it('shows a user from their start until their stop', () => {
    const { typing, expired } = indicators();
    expect(typing.heard(event(ada, true))).toBe(true);
    expect(typing.heard(event(bob, true))).toBe(true);
    expect(typing.users).toEqual([ada, bob]);
    expect(typing.heard(event(ada, false))).toBe(true);
    expect(typing.users).toEqual([bob]);
    expect(expired).toEqual([]);
  });

  it('gives the same array until someone starts or stops, a repeated start included', () => {
    const { typing } = indicators();
    typing.heard(event(ada, true));
    const shown = typing.users;
    expect(typing.users).toBe(shown);
    typing.heard(event(ada, true));
    expect(typing.users).toBe(shown);
    typing.heard(event(bob, true));
    expect(typing.users).not.toBe(shown);
    expect(typing.users).toEqual([ada, bob]);
  });

  it('ends an indicator nobody stops typingIndicatorTtlMs after its start, as a stop', () => {
    const { typing, expired } = indicators();
    typing.heard(event(ada, true));
    vi.advanceTimersByTime(TTL - 1);
    expect(typing.users).toEqual([ada]);
    vi.advanceTimersByTime(1);
    expect(typing.users).toEqual([]);
    expect(expired).toEqual([event(ada, false)]);
  });

  it('takes a repeated start as no change, only a later end', () => {
    const { typing, expired } = indicators();
    typing.heard(event(ada, true));
    vi.advanceTimersByTime(LIMITS.typingRepeatMs);
    expect(typing.heard(event(ada, true))).toBe(false);
    vi.advanceTimersByTime(TTL - 1);
    expect(typing.users).toEqual([ada]);
    vi.advanceTimersByTime(1);
    expect(typing.users).toEqual([]);
    expect(expired).toEqual([event(ada, false)]);
  });

  it('takes a start under a new name as a change', () => {
    const { typing } = indicators();
    typing.heard(event(ada, true));
    const renamed = { ...ada, name: 'Ada L.' };
    expect(typing.heard(event(renamed, true))).toBe(true);
    expect(typing.users).toEqual([renamed]);
  });

  it('takes a stop for someone not shown (one that ran out, say) as no change', () => {
    const { typing } = indicators();
    expect(typing.heard(event(ada, false))).toBe(false);
    typing.heard(event(ada, true));
    vi.advanceTimersByTime(TTL);
    expect(typing.heard(event(ada, false))).toBe(false);
  });

  it('leaves no timer behind a stop, nor after clear, which ends nothing out loud', () => {
    const { typing, expired } = indicators();
    typing.heard(event(ada, true));
    typing.heard(event(ada, false));
    expect(vi.getTimerCount()).toBe(0);
    typing.heard(event(ada, true));
    typing.heard(event(bob, true));
    typing.clear();
    expect(typing.users).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(TTL);
    expect(expired).toEqual([]);
  });
});

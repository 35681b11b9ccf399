import { describe, expect, it } from 'vitest';
import { createAccessPolicy } from './access-policy.js';
import type { AuthUser } from './auth-service.js';

const user = (id: string, extra: Partial<AuthUser> = {}): AuthUser => ({
  id,
  name: id,
  rooms: undefined,
  expiresAtMs: Number.MAX_SAFE_INTEGER,
  guest: false,
  ...extra,
});

const ada = user('ada');

describe('AccessPolicy for changes to messages', () => {
  const policy = createAccessPolicy({ guestRooms: ['lobby'] });

  it('lets only the author edit or delete a message', () => {
    for (const action of ['edit', 'delete'] as const) {
      expect(policy.decide(ada, action, 'general', { authorId: 'ada' })).toEqual({ allowed: true });
      const refused = policy.decide(ada, action, 'general', { authorId: 'bob' });
      expect(refused.allowed).toBe(false);
      if (refused.allowed) continue;
      expect(refused.error.toPayload()).toEqual({
        code: 'FORBIDDEN',
        message: `Only the author of a message may ${action} it`,
      });
      expect(() => policy.check(ada, action, 'general', { authorId: 'bob' })).toThrow(
        refused.error.message,
      );
    }
  });

  it('asks the room first: the author of a message in a room they may not use is refused too', () => {
    const confined = user('ada', { rooms: new Set(['a']) });
    const decision = policy.decide(confined, 'edit', 'b', { authorId: 'ada' });
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.error.message).toMatch(/does not allow room "b"/);
  });

  it('lets a user react wherever they may send', () => {
    const guest = user('g', { guest: true });
    expect(policy.decide(guest, 'react', 'lobby').allowed).toBe(true);
    expect(policy.decide(guest, 'send', 'lobby').allowed).toBe(true);
    expect(policy.decide(guest, 'react', 'secret').allowed).toBe(false);
    expect(policy.decide(guest, 'send', 'secret').allowed).toBe(false);
  });

  it('needs a message context for edit and delete, at compile time', () => {
    // @ts-expect-error: an edit without the message's author cannot be decided
    expect(policy.decide(ada, 'edit', 'general').allowed).toBe(false);
    // @ts-expect-error: reactions take no context
    policy.decide(ada, 'react', 'general', { authorId: 'ada' });
  });
});

import { AppError } from '../utils/errors.js';
import type { AuthUser } from './auth-service.js';

/**
 * What a user does with a room. `read` covers history, catch-up and the status of the room's
 * people; `typing` also needs the connection it comes over to be in the room.
 */
export type RoomAction = 'join' | 'read' | 'send' | 'typing';

/** The connection a request came over, when it came over a socket. */
export interface ConnectionContext {
  rooms: ReadonlySet<string>;
}

export type AccessDecision = { allowed: true } | { allowed: false; error: AppError };

/**
 * The one place that decides who may do what in which room. Every socket event and REST route
 * that touches a room asks it, so a new rule (moderators, private rooms) changes this file only.
 */
export interface AccessPolicy {
  decide(
    user: AuthUser,
    action: RoomAction,
    room: string,
    connection?: ConnectionContext,
  ): AccessDecision;
  /** Throws the decision's error when the action is not allowed. */
  check(user: AuthUser, action: RoomAction, room: string, connection?: ConnectionContext): void;
  /** True when nothing confines the user: any room they name is one they may use. */
  mayUseEveryRoom(user: AuthUser): boolean;
}

const ALLOWED: AccessDecision = { allowed: true };

/** `lobby`, `demo-*` or `*`, as in CHATTER_GUEST_ROOMS. */
export const roomMatcher = (patterns: readonly string[]): ((room: string) => boolean) => {
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1));
    else names.add(pattern);
  }
  return (room) => names.has(room) || prefixes.some((prefix) => room.startsWith(prefix));
};

export const createAccessPolicy = ({
  guestRooms,
}: {
  /** Room names and `prefix*` patterns guests are confined to; undefined: no confinement. */
  guestRooms: readonly string[] | undefined;
}): AccessPolicy => {
  const guestMayUse = guestRooms ? roomMatcher(guestRooms) : undefined;

  const deny = (code: 'FORBIDDEN', message: string): AccessDecision => ({
    allowed: false,
    error: new AppError(code, message),
  });

  const decide: AccessPolicy['decide'] = (user, action, room, connection) => {
    if (user.rooms && !user.rooms.has(room)) {
      return deny('FORBIDDEN', `Your token does not allow room "${room}"`);
    }
    if (user.guest && guestMayUse && !guestMayUse(room)) {
      return deny('FORBIDDEN', `Guests may not use room "${room}" on this server`);
    }
    if (action === 'typing' && !connection?.rooms.has(room)) {
      return deny('FORBIDDEN', `Join room "${room}" before typing in it`);
    }
    return ALLOWED;
  };

  return {
    decide,
    check(user, action, room, connection) {
      const decision = decide(user, action, room, connection);
      if (!decision.allowed) throw decision.error;
    },
    mayUseEveryRoom: (user) => !user.rooms && !(user.guest && guestMayUse),
  };
};

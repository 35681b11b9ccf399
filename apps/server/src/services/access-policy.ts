import { AppError } from '../utils/errors.js';
import type { AuthUser } from './auth-service.js';

/** The connection a request came over, when it came over a socket. */
export interface ConnectionContext {
  rooms: ReadonlySet<string>;
}

/** The message an action changes: who wrote it (moderators, when they come, are decided here). */
export interface MessageContext {
  authorId: string;
}

/**
 * What a user does with a room, and what each action needs to know beyond the user and the
 * room. `read` covers history, catch-up, read positions and the status of the room's people;
 * `typing` also needs the connection it comes over to be in the room; `react` needs what
 * `send` does; `edit` and `delete` need the message's author.
 */
export interface RoomActionContexts {
  join: undefined;
  read: undefined;
  send: undefined;
  react: undefined;
  typing: ConnectionContext;
  edit: MessageContext;
  delete: MessageContext;
}

export type RoomAction = keyof RoomActionContexts;

/** The context argument of `action`: required where the action needs one, absent otherwise. */
export type ContextArgs<A extends RoomAction> = RoomActionContexts[A] extends undefined
  ? []
  : [context: RoomActionContexts[A]];

export type AccessDecision = { allowed: true } | { allowed: false; error: AppError };

/**
 * The one place that decides who may do what in which room. Every socket event and REST route
 * that touches a room asks it, so a new rule (moderators, private rooms) changes this file only.
 */
export interface AccessPolicy {
  decide<A extends RoomAction>(
    user: AuthUser,
    action: A,
    room: string,
    ...context: ContextArgs<A>
  ): AccessDecision;
  /** Throws the decision's error when the action is not allowed. */
  check<A extends RoomAction>(
    user: AuthUser,
    action: A,
    room: string,
    ...context: ContextArgs<A>
  ): void;
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

  // The context's type follows the action (`ContextArgs`); here it is one of them.
  const decideAny = (
    user: AuthUser,
    action: RoomAction,
    room: string,
    context?: ConnectionContext | MessageContext,
  ): AccessDecision => {
    if (user.rooms && !user.rooms.has(room)) {
      return deny('FORBIDDEN', `Your token does not allow room "${room}"`);
    }
    if (user.guest && guestMayUse && !guestMayUse(room)) {
      return deny('FORBIDDEN', `Guests may not use room "${room}" on this server`);
    }
    switch (action) {
      case 'typing':
        if (!(context as ConnectionContext | undefined)?.rooms.has(room)) {
          return deny('FORBIDDEN', `Join room "${room}" before typing in it`);
        }
        return ALLOWED;
      case 'edit':
      case 'delete':
        // Moderators, when they come, are decided here: the one rule for changing others' messages.
        if ((context as MessageContext | undefined)?.authorId !== user.id) {
          return deny('FORBIDDEN', `Only the author of a message may ${action} it`);
        }
        return ALLOWED;
      default:
        return ALLOWED;
    }
  };
  const decide = decideAny as AccessPolicy['decide'];

  return {
    decide,
    check(user, action, room, ...context) {
      const decision = decideAny(user, action, room, context[0]);
      if (!decision.allowed) throw decision.error;
    },
    mayUseEveryRoom: (user) => !user.rooms && !(user.guest && guestMayUse),
  };
};

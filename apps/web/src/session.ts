import { type CreateSessionResponse, CreateSessionResponseSchema } from '@chatter/protocol';
import { localStore, tabStore } from './storage';

export type Session = CreateSessionResponse;

const SESSION_KEY = 'chatter.session';
const LAST_NAME_KEY = 'chatter.lastName';

/**
 * The session lives in sessionStorage: a reload keeps who you are, while another tab starts as
 * someone else, which is how the demo lets one person try a conversation between several users.
 */
export const loadSession = (): Session | null => {
  const parsed = CreateSessionResponseSchema.safeParse(tabStore.get(SESSION_KEY));
  if (!parsed.success || isExpired(parsed.data)) return null;
  return parsed.data;
};

export const saveSession = (session: Session): void => {
  tabStore.set(SESSION_KEY, session);
  localStore.set(LAST_NAME_KEY, session.user.name);
};

export const clearSession = (): void => tabStore.set(SESSION_KEY, undefined);

export const isExpired = (session: Session, now = Date.now()): boolean =>
  Date.parse(session.expiresAt) <= now;

/** The name used last on this device, offered again on the sign-in form. */
export const lastUsedName = (): string => {
  const name = localStore.get(LAST_NAME_KEY);
  return typeof name === 'string' ? name : '';
};

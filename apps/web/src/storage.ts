/**
 * Web Storage that never throws: private modes, disabled storage and a full quota all reduce to
 * "nothing kept", which every caller can live with.
 */
const read = (store: () => Storage, key: string): unknown => {
  try {
    const raw = store().getItem(key);
    return raw === null ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
};

const write = (store: () => Storage, key: string, value: unknown): void => {
  try {
    if (value === undefined) store().removeItem(key);
    else store().setItem(key, JSON.stringify(value));
  } catch {
    // Not kept; the app still works for this page's lifetime.
  }
};

const local = () => window.localStorage;
const session = () => window.sessionStorage;

/** Kept across tabs and restarts. */
export const localStore = {
  get: (key: string) => read(local, key),
  set: (key: string, value: unknown) => write(local, key, value),
};

/** Kept by this tab only, across reloads. */
export const tabStore = {
  get: (key: string) => read(session, key),
  set: (key: string, value: unknown) => write(session, key, value),
};

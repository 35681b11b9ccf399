import path from 'node:path';
import Database from 'better-sqlite3';

// What the REST and socket bad-input suites share: the room they use, token pieces, and the
// expected wording of validation messages.

export const ROOM = 'a';
export const OTHER_SECRET = 'another-secret-that-is-also-long-enough!!';

/** Counts every message in the SQLite file, whatever room it landed in (even an invalid one). */
export const countAllMessages = (dataDir: string): number => {
  const db = new Database(path.join(dataDir, 'chatter.db'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM messages').get()?.n ?? -1;
  } finally {
    db.close();
  }
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The summary zod gives for a value of the wrong type at `field`. */
export const wrongType = (field: string, expected: string, received: string): RegExp =>
  new RegExp(`^${escapeRegExp(field)}: .*expected ${expected}, received ${received}`);

export const unknownKey = (key: string): RegExp =>
  new RegExp(`Unrecognized key: "${escapeRegExp(key)}"`);

export const BAD_ROOM = /^room: Room names are 1–64 characters/;
export const TOO_LONG = /^text: Message text must be at most 4000 characters/;
export const INVALID_TOKEN = /Token is not valid/;

export const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export const claims = { sub: 'mallory', name: 'Mallory' };
export const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config.js';

export const SECRET_FILE = 'jwt-secret';

/** HS256 needs 256 bits; the same floor as CHATTER_JWT_SECRET. */
export const MIN_SECRET_LENGTH = 32;

const reasonOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * The configured secret, or one generated on first start and kept in the data directory so
 * tokens survive restarts of a local server that was given no configuration. A file that cannot
 * be read, or holds too short a secret, stops the server with a ConfigError naming it: starting
 * anyway would look healthy while every token failed.
 */
export const resolveJwtSecret = (configured: string | undefined, dataDir: string): string => {
  if (configured) return configured;
  const file = path.join(dataDir, SECRET_FILE);
  return readSecretFile(file) ?? createSecretFile(file);
};

/** The secret in `file`, or undefined when there is no such file. */
const readSecretFile = (file: string): string | undefined => {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the JWT secret file ${file}: ${reasonOf(error)}`, {
      cause: error,
    });
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    const what = secret.length === 0 ? 'is empty' : `holds only ${secret.length} characters`;
    throw new ConfigError(
      `the JWT secret file ${file} ${what} (at least ${MIN_SECRET_LENGTH} needed): delete it to have a new one made (tokens issued so far stop working), or set CHATTER_JWT_SECRET`,
    );
  }
  return secret;
};

/**
 * Writes a new secret so that `file` is either absent or complete, never empty or cut short
 * (a full disk used to leave an empty file, and every later start used it): the secret goes to
 * a temporary file in the same directory, is synced, and is then linked into place. `link`
 * fails rather than replace a file another process put there first, and then theirs is used.
 */
export const createSecretFile = (file: string): string => {
  const secret = randomBytes(32).toString('base64url');
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(temporary, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, `${secret}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (!placeFile(temporary, file)) return readSecretFile(file) ?? secret;
    syncDirectory(path.dirname(file));
    return secret;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`cannot write the JWT secret file ${file}: ${reasonOf(error)}`, {
      cause: error,
    });
  } finally {
    fs.rmSync(temporary, { force: true });
  }
};

/** Puts `temporary` at `file` unless a file is there already: `false` when one was. */
const placeFile = (temporary: string, file: string): boolean => {
  try {
    fs.linkSync(temporary, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Some file systems have no hard links; a rename after a check leaves a small race, in
    // which both processes' secrets are complete and the later one wins.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    if (fs.existsSync(file)) return false;
    fs.renameSync(temporary, file);
    return true;
  }
};

/** Makes the new directory entry durable too; not every platform can open a directory. */
const syncDirectory = (dir: string): void => {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Best effort: the file's own contents are synced already.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
};

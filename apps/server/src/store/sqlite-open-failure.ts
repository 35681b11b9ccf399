import fs from 'node:fs';
import { StoreUnavailableError } from './chat-store.js';

/** Why a database file cannot be opened, in words an operator acts on. */
const describe = (error: unknown, file: string): string => {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  // SQLite says only "unable to open database file"; the file system says why.
  if (code === 'SQLITE_CANTOPEN') {
    try {
      if (fs.statSync(file).isDirectory()) return 'it is a directory, not a file';
      fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    } catch (statError) {
      const { code: fsCode } = statError as NodeJS.ErrnoException;
      if (fsCode === 'EACCES') return 'permission denied (the server needs to read and write it)';
    }
  }
  if (code === 'SQLITE_NOTADB') return `${text}: the file is damaged or is not Chatter's database`;
  return typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text;
};

/**
 * Turns a failure to open the SQLite store into one line that names the file and the reason,
 * which stops the server (see server.ts); errors that already speak to operators pass through.
 */
export const openFailure = (error: unknown, file: string): Error => {
  if (error instanceof StoreUnavailableError || (error as Error)?.name === 'ConfigError') {
    return error as Error;
  }
  return new StoreUnavailableError(
    `cannot open the SQLite database ${file}: ${describe(error, file)}`,
    { cause: error },
  );
};

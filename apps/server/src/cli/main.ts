/**
 * `pnpm chatter <command>`: maintenance of a Chatter database (backup, restore, rotate-epochs).
 * It reads the same environment as the server (CHATTER_DATA_DIR, MONGODB_URI, …) and prints one
 * line: the outcome, or the error (exit code 1; 2 for a wrong command line).
 */
import { ConfigError, loadConfig } from '../config.js';
import { StoreUnavailableError } from '../store/chat-store.js';
import { MaintenanceError } from '../store/sqlite-maintenance.js';
import { runCommand, UsageError } from './commands.js';

// pnpm runs package scripts in the package's directory; relative paths (CHATTER_DATA_DIR=./data,
// the backup file) mean what they meant where the command was typed, which pnpm passes on.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const main = async (): Promise<number> => {
  try {
    const line = await runCommand(process.argv.slice(2), loadConfig());
    console.log(`chatter: ${line}`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 2;
    }
    const known =
      error instanceof ConfigError ||
      error instanceof StoreUnavailableError ||
      error instanceof MaintenanceError;
    console.error(
      `chatter: ${known ? error.message : `failed: ${(error as Error).message ?? error}`}`,
    );
    return 1;
  }
};

process.exitCode = await main();

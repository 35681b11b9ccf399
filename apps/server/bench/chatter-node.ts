/**
 * Chatter in its own process, for the bench: `startChatterServer` from src/ (through tsx) inside
 * the measuring harness (event-loop delay, CPU, heap over IPC). Configured by the environment
 * the bench passes (PORT=0, HOST, CHATTER_DATA_DIR, CHATTER_JWT_SECRET, ...).
 *
 * Not meant to be run by hand; the parts start it with lib/spawn.ts.
 */
import { startChatterServer } from '../src/chatter-server.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/utils/logger.js';
import { runHarness } from './lib/harness.js';

await runHarness(async () => {
  const config = loadConfig(process.env);
  const server = await startChatterServer(config, createLogger(config.logLevel));
  return {
    url: server.url,
    close: () => server.close(),
    counters: () => ({ connections: server.io.engine.clientsCount }),
  };
});

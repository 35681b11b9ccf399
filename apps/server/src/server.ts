import { startChatterServer } from './chatter-server.js';
import { ConfigError, loadConfig } from './config.js';
import { StoreUnavailableError } from './store/chat-store.js';
import { createLogger } from './utils/logger.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

const main = async (): Promise<void> => {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const server = await startChatterServer(config, logger).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new ConfigError(`Port ${config.port} is already in use; set PORT to a free port`);
    }
    throw error;
  });
  logger.info(
    { url: server.url, dataDir: config.dataDir },
    `Chatter is listening on ${server.url}`,
  );

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    server.close().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
};

main().catch((error: unknown) => {
  // Errors an operator fixes outside the code (a setting, the database) get one plain line.
  if (error instanceof ConfigError || error instanceof StoreUnavailableError) {
    console.error(`chatter: ${error.message}`);
  } else {
    console.error('chatter: failed to start', error);
  }
  process.exit(1);
});

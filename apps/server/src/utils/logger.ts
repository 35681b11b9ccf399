import { pino } from 'pino';

export type Logger = pino.Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

export const createLogger = (level: LogLevel): Logger =>
  pino(
    {
      level,
      base: { service: 'chatter' },
      // Tokens travel in headers and handshakes; keep them out of every log line.
      redact: ['req.headers.authorization', 'req.headers.cookie', '*.token'],
    },
    // Asynchronous: a request's log line never waits for stdout (a slow pipe or terminal would
    // otherwise stall the event loop). pino flushes what is buffered when the process exits.
    pino.destination({ dest: 1, sync: false }),
  );

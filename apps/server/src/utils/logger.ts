import { pino } from 'pino';

export type Logger = pino.Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

export const createLogger = (level: LogLevel): Logger =>
  pino({
    level,
    base: { service: 'chatter' },
    // Tokens travel in headers and handshakes; keep them out of every log line.
    redact: ['req.headers.authorization', 'req.headers.cookie', '*.token'],
  });

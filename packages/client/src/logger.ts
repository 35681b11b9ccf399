/**
 * Where the SDK tells what it does: connection changes, reconnection attempts, refused tokens,
 * token refreshes, dropped malformed events, rate limits. Pass `console` to see it all, or
 * adapt your own logger. By default nothing is logged.
 *
 * @example
 * ```ts
 * const logger: ChatterLogger = {
 *   debug: () => {},
 *   info: (message, details) => console.info(message, details ?? ''),
 *   warn: (message, details) => console.warn(message, details ?? ''),
 *   error: (message, details) => console.error(message, details ?? ''),
 * };
 * createChatterClient({ url, token, logger });
 * ```
 */
export interface ChatterLogger {
  debug(message: string, details?: object): void;
  info(message: string, details?: object): void;
  warn(message: string, details?: object): void;
  error(message: string, details?: object): void;
}

const nothing = () => {};

/** The default: logs nothing. */
export const SILENT_LOGGER: ChatterLogger = {
  debug: nothing,
  info: nothing,
  warn: nothing,
  error: nothing,
};
